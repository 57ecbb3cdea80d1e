using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;
using XRight.Data;

namespace XRight.Tests.Data;

[TestClass]
public sealed class ParquetDataViewTests
{
    private readonly MLContext _ml = new(seed: 1);

    // Written with Parquet.Net directly: nullable and required columns, a standard list, a legacy
    // repeated field, two row groups of 4 and 2 rows.
    private static string WriteMixedFile(TempDirectory temp)
    {
        var path = temp.File("mixed.parquet");
        var name = new DataField("name", typeof(string), isNullable: true);
        var count = new DataField("count", typeof(int), isNullable: false);
        var big = new DataField("big", typeof(long), isNullable: true);
        var score = new DataField("score", typeof(double), isNullable: true);
        var ok = new DataField("ok", typeof(bool), isNullable: false);
        var element = new DataField("element", typeof(long), isNullable: false);
        var ids = new ListField("ids", element);
        var legacy = new DataField("legacy", typeof(int), isNullable: false, isArray: true);
        var schema = new ParquetSchema(name, count, big, score, ok, ids, legacy);

        ParquetTestFiles.Write(path, schema,
            async group =>
            {
                await group.WriteAsync(name, new[] { "alpha", null, "", "δέλτα" });
                await group.WriteAsync<int>(count, new[] { 1, 2, 3, 4 });
                await group.WriteAsync<long>(big, new long?[] { 10, 20, 30, 40 });
                await group.WriteAsync<double>(score, new double?[] { 0.25, null, -1.5, 2 });
                await group.WriteAsync<bool>(ok, new[] { true, false, true, true });
                // rows: [1, 2], [], null, [3]   (definition 2 = element, 1 = empty list, 0 = null list)
                await group.WriteAllPartsAsync<long>(element, new long[] { 1, 2, 3 }, new[] { 2, 2, 1, 0, 2 }, new[] { 0, 1, 0, 0, 0 }, default);
                // rows: [7], [], [8, 9], [10]
                await group.WriteAllPartsAsync<int>(legacy, new[] { 7, 8, 9, 10 }, new[] { 1, 0, 1, 1, 1 }, new[] { 0, 0, 0, 1, 0 }, default);
            },
            async group =>
            {
                await group.WriteAsync(name, new[] { "epsilon", "zeta" });
                await group.WriteAsync<int>(count, new[] { 5, 6 });
                await group.WriteAsync<long>(big, new long?[] { 50, 60 });
                await group.WriteAsync<double>(score, new double?[] { null, 6.5 });
                await group.WriteAsync<bool>(ok, new[] { false, false });
                // rows: [4, 5, 6], [7]
                await group.WriteAllPartsAsync<long>(element, new long[] { 4, 5, 6, 7 }, new[] { 2, 2, 2, 2 }, new[] { 0, 1, 1, 0 }, default);
                // rows: [], [11, 12]
                await group.WriteAllPartsAsync<int>(legacy, new[] { 11, 12 }, new[] { 0, 1, 1 }, new[] { 0, 0, 1 }, default);
            });
        return path;
    }

    [TestMethod]
    public void Reads_a_file_written_by_Parquet_Net_with_nulls_lists_and_two_row_groups()
    {
        using var temp = new TempDirectory();
        var view = _ml.Data.LoadFromParquet(WriteMixedFile(temp));

        Assert.AreEqual(6L, view.GetRowCount());
        CollectionAssert.AreEqual(new[] { "name", "count", "big", "score", "ok", "ids", "legacy" }, ViewReading.ColumnNames(view));
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Int64), view.Schema["ids"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Int32), view.Schema["legacy"].Type);

        CollectionAssert.AreEqual(new[] { "alpha", "", "", "δέλτα", "epsilon", "zeta" }, ViewReading.Texts(view, "name"));
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5, 6 }, ViewReading.Values<int>(view, "count"));
        CollectionAssert.AreEqual(new long[] { 10, 20, 30, 40, 50, 60 }, ViewReading.Values<long>(view, "big"));
        CollectionAssert.AreEqual(new[] { 0.25, double.NaN, -1.5, 2, double.NaN, 6.5 }, ViewReading.Values<double>(view, "score"));
        CollectionAssert.AreEqual(new[] { true, false, true, true, false, false }, ViewReading.Values<bool>(view, "ok"));

        var ids = ViewReading.Vectors<long>(view, "ids");
        long[][] expectedIds = [[1, 2], [], [], [3], [4, 5, 6], [7]];
        Assert.HasCount(6, ids);
        for (var i = 0; i < 6; i++) CollectionAssert.AreEqual(expectedIds[i], ids[i], $"ids row {i}");

        var legacy = ViewReading.Vectors<int>(view, "legacy");
        int[][] expectedLegacy = [[7], [], [8, 9], [10], [], [11, 12]];
        for (var i = 0; i < 6; i++) CollectionAssert.AreEqual(expectedLegacy[i], legacy[i], $"legacy row {i}");
    }

    [TestMethod]
    public void Cursor_reports_positions_and_ids_and_ends_cleanly()
    {
        using var temp = new TempDirectory();
        var view = _ml.Data.LoadFromParquet(WriteMixedFile(temp));
        var count = view.Schema["count"];

        using var cursor = view.GetRowCursor([count]);
        Assert.AreEqual(-1L, cursor.Position);
        Assert.IsTrue(cursor.IsColumnActive(count));
        Assert.IsFalse(cursor.IsColumnActive(view.Schema["name"]));
        var getter = cursor.GetGetter<int>(count);
        var idGetter = cursor.GetIdGetter();
        var value = 0;
        Assert.ThrowsExactly<InvalidOperationException>(() => getter(ref value), "no row before MoveNext");

        var positions = new List<long>();
        var ids = new List<DataViewRowId>();
        while (cursor.MoveNext())
        {
            positions.Add(cursor.Position);
            DataViewRowId id = default;
            idGetter(ref id);
            ids.Add(id);
        }

        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3, 4, 5 }, positions);
        CollectionAssert.AreEqual(Enumerable.Range(0, 6).Select(i => new DataViewRowId((ulong)i, 0)).ToList(), ids);
        Assert.AreEqual(-1L, cursor.Position);
        Assert.IsFalse(cursor.MoveNext());
        Assert.HasCount(1, view.GetRowCursorSet([count], 4));
    }

    [TestMethod]
    public void A_cursor_holds_the_file_open_until_it_is_disposed_or_runs_past_the_last_row()
    {
        using var temp = new TempDirectory();
        var path = WriteMixedFile(temp);
        var view = _ml.Data.LoadFromParquet(path);
        OpenFileHandles.AssertCursorsReleaseTheFile(view, path);
    }

    [TestMethod]
    public void Cursor_refuses_inactive_columns_and_wrong_value_types()
    {
        using var temp = new TempDirectory();
        var view = _ml.Data.LoadFromParquet(WriteMixedFile(temp));
        using var cursor = view.GetRowCursor([view.Schema["count"], view.Schema["ids"]]);

        var inactive = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["name"]));
        Assert.Contains("'name' is not active", inactive.Message);
        var wrongType = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<long>(view.Schema["count"]));
        Assert.Contains("System.Int64", wrongType.Message);
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<long[]>(view.Schema["ids"]));
    }

    [TestMethod]
    public void A_null_in_a_column_whose_type_has_no_missing_value_names_file_row_group_and_column()
    {
        using var temp = new TempDirectory();
        var path = temp.File("null-int.parquet");
        var field = new DataField("tokens", typeof(int), isNullable: true);
        ParquetTestFiles.Write(path, new ParquetSchema(field),
            group => group.WriteAsync<int>(field, new int?[] { 1, 2 }),
            group => group.WriteAsync<int>(field, new int?[] { 3, null }));
        var view = _ml.Data.LoadFromParquet(path);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => ViewReading.Values<int>(view, "tokens"));

        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("row group 1", error.Message);
        Assert.Contains("column 'tokens'", error.Message);
        Assert.Contains("row 2 of the row group holds a null", error.Message);
    }

    [TestMethod]
    public void Only_active_columns_are_read_a_corrupt_inactive_column_is_never_touched()
    {
        using var temp = new TempDirectory();
        var path = temp.File("half-corrupt.parquet");
        var text = new DataField("text", typeof(string), isNullable: false);
        var broken = new DataField("broken", typeof(int), isNullable: false);
        var rows = Enumerable.Range(0, 100).ToArray();
        ParquetTestFiles.Write(path, new ParquetSchema(text, broken),
            async group =>
            {
                await group.WriteAsync(text, rows.Select(i => $"row {i}").ToArray());
                await group.WriteAsync<int>(broken, rows);
            },
            async group =>
            {
                await group.WriteAsync(text, rows.Select(i => $"row {i + 100}").ToArray());
                await group.WriteAsync<int>(broken, rows.Select(i => i + 100).ToArray());
            });
        var (offset, length) = ParquetTestFiles.ChunkRange(path, "broken", rowGroup: 1);
        ParquetTestFiles.Corrupt(path, offset, length);
        var view = _ml.Data.LoadFromParquet(path);

        CollectionAssert.AreEqual(Enumerable.Range(0, 200).Select(i => $"row {i}").ToList(), ViewReading.Texts(view, "text"));

        var column = view.Schema["broken"];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<int>(column);
        var value = 0;
        for (var i = 0; i < 100; i++)
        {
            Assert.IsTrue(cursor.MoveNext());
            getter(ref value);
            Assert.AreEqual(i, value);
        }
        var error = Assert.ThrowsExactly<InvalidDataException>(() => cursor.MoveNext(), "the corrupt chunk is decoded on entering row group 1");
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("row group 1", error.Message);
        Assert.Contains("column 'broken'", error.Message);
        Assert.IsNotNull(error.InnerException);
    }

    [TestMethod]
    public void Unsupported_column_types_name_the_file_and_the_column()
    {
        using var temp = new TempDirectory();
        var cases = new (string Name, Field Field, string Expected)[]
        {
            ("when", new DateTimeDataField("when", DateTimeFormat.DateAndTime), "DateTime"),
            ("small", new DataField("small", typeof(short)), "Int16"),
            ("tags", new ListField("tags", new DataField("element", typeof(string))), "lists of"),
            ("point", new StructField("point", new DataField("x", typeof(int)), new DataField("y", typeof(int))), "structs"),
        };
        foreach (var (name, field, expected) in cases)
        {
            var path = temp.File($"{name}.parquet");
            var id = new DataField("id", typeof(int), isNullable: false);
            ParquetTestFiles.Write(path, new ParquetSchema(id, field)); // schema only: the loader rejects it from the footer

            var error = Assert.ThrowsExactly<NotSupportedException>(() => _ml.Data.LoadFromParquet(path), name);

            Assert.Contains($"'{path}'", error.Message);
            Assert.Contains($"column '{name}'", error.Message);
            Assert.Contains(expected, error.Message);
        }
    }

    [TestMethod]
    public void A_file_that_is_not_Parquet_or_is_damaged_is_reported_with_its_path()
    {
        using var temp = new TempDirectory();
        var valid = WriteMixedFile(temp);
        var bytes = File.ReadAllBytes(valid);

        var text = temp.File("text.parquet");
        File.WriteAllText(text, "{\"prompt\": \"this is JSON, not Parquet\"}\n");
        var tiny = temp.File("tiny.parquet");
        File.WriteAllBytes(tiny, "PAR1"u8.ToArray());
        var truncated = temp.File("truncated.parquet");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var badFooter = temp.File("bad-footer.parquet");
        var damaged = bytes.ToArray();
        var footerLength = BitConverter.ToInt32(damaged, damaged.Length - 8);
        Array.Fill(damaged, (byte)0xFF, damaged.Length - 8 - footerLength, footerLength);
        File.WriteAllBytes(badFooter, damaged);
        var badLength = temp.File("bad-length.parquet");
        damaged = bytes.ToArray();
        BitConverter.GetBytes(int.MaxValue).CopyTo(damaged, damaged.Length - 8);
        File.WriteAllBytes(badLength, damaged);

        var cases = new (string Path, string Expected)[]
        {
            (text, "does not start with the magic bytes 'PAR1'"),
            (tiny, "shorter than any Parquet file"),
            (truncated, "truncated or corrupt"),
            (badFooter, "footer is corrupt"),
            (badLength, $"footer length {int.MaxValue} does not fit"),
        };
        foreach (var (path, expected) in cases)
        {
            var error = Assert.ThrowsExactly<InvalidDataException>(() => _ml.Data.LoadFromParquet(path), path);
            Assert.Contains($"'{path}'", error.Message);
            Assert.Contains(expected, error.Message);
        }

        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => _ml.Data.LoadFromParquet(temp.File("absent.parquet")));
        Assert.Contains("absent.parquet", missing.Message);
    }

    [TestMethod]
    public void A_file_replaced_by_one_with_other_columns_is_reported_when_a_cursor_opens()
    {
        using var temp = new TempDirectory();
        var path = WriteMixedFile(temp);
        var view = _ml.Data.LoadFromParquet(path);
        var other = new DataField("other", typeof(int), isNullable: false);
        ParquetTestFiles.Write(path, new ParquetSchema(other), group => group.WriteAsync<int>(other, new[] { 1 }));

        var error = Assert.ThrowsExactly<InvalidDataException>(() => view.GetRowCursor(view.Schema));

        Assert.Contains("has changed since it was loaded", error.Message);
        Assert.Contains("other (Int32)", error.Message);
    }

    [TestMethod]
    public void Views_made_by_the_loader_expose_their_source_path()
    {
        using var temp = new TempDirectory();
        var path = WriteMixedFile(temp);

        var view = _ml.Data.LoadFromParquet(path);

        Assert.AreEqual(path, ((IFileDataView)view).SourcePath);
        Assert.IsFalse(view.CanShuffle);
    }
}
