using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet.Schema;
using XRight.Data;

namespace XRight.Tests.Data;

[TestClass]
public sealed class ParquetRoundTripTests
{
    private static readonly Row[] Rows =
    [
        new() { Text = "héllo ✓", Int = 1, Long = long.MaxValue, Single = 0.5f, Double = Math.PI, Flag = true, Ids = [], Weights = [1.5f] },
        new() { Text = "", Int = -2, Long = long.MinValue, Single = -1e-30f, Double = -0.0, Flag = false, Ids = [7], Weights = [] },
        new() { Text = "two\nlines", Int = int.MaxValue, Long = 3, Single = float.MaxValue, Double = 1e300, Flag = true, Ids = [1, 2, 3], Weights = [2f, 3f] },
        new() { Text = "four", Int = int.MinValue, Long = 4, Single = 4f, Double = 4.25, Flag = false, Ids = [50256, 0], Weights = [] },
        new() { Text = "five", Int = 5, Long = 5, Single = 5f, Double = 5.5, Flag = true, Ids = [], Weights = [] },
        new() { Text = "six", Int = 6, Long = 6, Single = 6f, Double = 6.5, Flag = false, Ids = [6, 6, 6, 6], Weights = [6f] },
        new() { Text = "seven", Int = 7, Long = 7, Single = 7f, Double = 7.5, Flag = true, Ids = [-7], Weights = [7f, 7f, 7f] },
    ];

    [TestMethod]
    public void SaveAsParquet_then_LoadFromParquet_returns_every_value_across_row_groups()
    {
        using var temp = new TempDirectory();
        var path = temp.File("rows.parquet");
        var ml = new MLContext(seed: 1);

        ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(Rows), path, rowGroupSize: 3);
        var loaded = ml.Data.LoadFromParquet(path);

        Assert.AreEqual(3, ParquetTestFiles.RowGroupCount(path)); // 3 + 3 + 1 rows
        Assert.AreEqual(7L, loaded.GetRowCount());
        CollectionAssert.AreEqual(new[] { "Text", "Int", "Long", "Single", "Double", "Flag", "Ids", "Weights" }, ViewReading.ColumnNames(loaded));
        Assert.AreEqual(TextDataViewType.Instance, loaded.Schema["Text"].Type);
        Assert.AreEqual(NumberDataViewType.Int32, loaded.Schema["Int"].Type);
        Assert.AreEqual(NumberDataViewType.Int64, loaded.Schema["Long"].Type);
        Assert.AreEqual(NumberDataViewType.Single, loaded.Schema["Single"].Type);
        Assert.AreEqual(NumberDataViewType.Double, loaded.Schema["Double"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, loaded.Schema["Flag"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Int32), loaded.Schema["Ids"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single), loaded.Schema["Weights"].Type);

        CollectionAssert.AreEqual(Rows.Select(r => r.Text).ToList(), ViewReading.Texts(loaded, "Text"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Int).ToList(), ViewReading.Values<int>(loaded, "Int"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Long).ToList(), ViewReading.Values<long>(loaded, "Long"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Single).ToList(), ViewReading.Values<float>(loaded, "Single"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Double).ToList(), ViewReading.Values<double>(loaded, "Double"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Flag).ToList(), ViewReading.Values<bool>(loaded, "Flag"));
        AssertVectors(Rows.Select(r => r.Ids), ViewReading.Vectors<int>(loaded, "Ids"));
        AssertVectors(Rows.Select(r => r.Weights), ViewReading.Vectors<float>(loaded, "Weights"));
    }

    [TestMethod]
    public void SaveAsParquet_writes_required_values_and_vectors_as_lists()
    {
        using var temp = new TempDirectory();
        var path = temp.File("rows.parquet");
        var ml = new MLContext(seed: 1);

        ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(Rows), path);

        var fields = ParquetTestFiles.Schema(path).Fields;
        var text = (DataField)fields[0];
        Assert.IsFalse(text.IsNullable, "ML.NET text has no null, so the column is required");
        Assert.AreEqual(typeof(ReadOnlyMemory<char>), text.ClrType);
        var ids = (ListField)fields[6];
        Assert.AreEqual(typeof(int), ((DataField)ids.Item).ClrType);
        Assert.AreEqual(1, ParquetTestFiles.RowGroupCount(path), "7 rows fit in one default row group");
    }

    [TestMethod]
    public void SaveAsParquet_writes_sparse_and_fixed_size_vectors_densely_as_variable_length_lists()
    {
        using var temp = new TempDirectory();
        var path = temp.File("sparse.parquet");
        var ml = new MLContext(seed: 1);
        var rows = new[]
        {
            new SparseRow { Features = new VBuffer<float>(5, 2, [1f, 2f], [1, 3]) },
            new SparseRow { Features = new VBuffer<float>(5, [9f, 8f, 7f, 6f, 5f]) },
        };

        ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(rows), path);
        var loaded = ml.Data.LoadFromParquet(path);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single), loaded.Schema["Features"].Type);
        AssertVectors([[0f, 1f, 0f, 2f, 0f], [9f, 8f, 7f, 6f, 5f]], ViewReading.Vectors<float>(loaded, "Features"));
    }

    [TestMethod]
    public void SaveAsParquet_of_an_empty_view_keeps_the_schema()
    {
        using var temp = new TempDirectory();
        var path = temp.File("empty.parquet");
        var ml = new MLContext(seed: 1);

        ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(Array.Empty<Row>()), path);
        var loaded = ml.Data.LoadFromParquet(path);

        Assert.AreEqual(0L, loaded.GetRowCount());
        Assert.AreEqual(8, loaded.Schema.Count);
        Assert.IsEmpty(ViewReading.Texts(loaded, "Text"));
    }

    [TestMethod]
    public void SaveAsParquet_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var temp = new TempDirectory();
        var path = temp.File("rows.parquet");
        File.WriteAllText(path, "old contents");
        var ml = new MLContext(seed: 1);

        ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(Rows), path);

        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(temp.Path));
        Assert.AreEqual(7L, ml.Data.LoadFromParquet(path).GetRowCount());
    }

    [TestMethod]
    public void SaveAsParquet_rejects_an_unsupported_column_before_writing_anything()
    {
        using var temp = new TempDirectory();
        var path = temp.File("dates.parquet");
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadFromEnumerable(new[] { new DateRow { Name = "a", When = new DateTime(2024, 1, 2) } });

        var error = Assert.ThrowsExactly<NotSupportedException>(() => ml.Data.SaveAsParquet(view, path));

        Assert.Contains("'When'", error.Message);
        Assert.Contains("DateTime", error.Message);
        Assert.IsEmpty(Directory.GetFiles(temp.Path));
    }

    [TestMethod]
    public void SaveAsParquet_rejects_a_row_group_size_below_one()
    {
        using var temp = new TempDirectory();
        var ml = new MLContext(seed: 1);

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(Rows), temp.File("x.parquet"), rowGroupSize: 0));

        Assert.AreEqual("rowGroupSize", error.ParamName);
        Assert.IsEmpty(Directory.GetFiles(temp.Path));
    }

    [TestMethod]
    public void Parquet_view_converts_to_a_DataFrame_and_the_DataFrame_saves_back_to_the_same_rows()
    {
        using var temp = new TempDirectory();
        var original = temp.File("original.parquet");
        var again = temp.File("again.parquet");
        var ml = new MLContext(seed: 1);
        ml.Data.SaveAsParquet(ml.Data.LoadFromEnumerable(Rows), original, rowGroupSize: 2);

        var frame = ml.Data.LoadFromParquet(original).ToDataFrame(-1);

        Assert.AreEqual(7L, frame.Rows.Count);
        Assert.AreEqual("two\nlines", frame["Text"][2]);
        Assert.AreEqual(long.MinValue, frame["Long"][1]);
        Assert.AreEqual(Math.PI, frame["Double"][0]);
        Assert.AreEqual(false, frame["Flag"][3]);

        ml.Data.SaveAsParquet(frame, again, rowGroupSize: 4);
        var reloaded = ml.Data.LoadFromParquet(again);

        Assert.AreEqual(2, ParquetTestFiles.RowGroupCount(again));
        CollectionAssert.AreEqual(Rows.Select(r => r.Text).ToList(), ViewReading.Texts(reloaded, "Text"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Int).ToList(), ViewReading.Values<int>(reloaded, "Int"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Long).ToList(), ViewReading.Values<long>(reloaded, "Long"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Single).ToList(), ViewReading.Values<float>(reloaded, "Single"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Double).ToList(), ViewReading.Values<double>(reloaded, "Double"));
        CollectionAssert.AreEqual(Rows.Select(r => r.Flag).ToList(), ViewReading.Values<bool>(reloaded, "Flag"));
        AssertVectors(Rows.Select(r => r.Ids), ViewReading.Vectors<int>(reloaded, "Ids"));
    }

    private static void AssertVectors<T>(IEnumerable<T[]> expected, List<T[]> actual)
    {
        var expectedList = expected.ToList();
        Assert.HasCount(expectedList.Count, actual);
        for (var i = 0; i < expectedList.Count; i++)
            CollectionAssert.AreEqual(expectedList[i], actual[i], $"row {i}");
    }

    public sealed class Row
    {
        public string Text { get; set; } = "";
        public int Int { get; set; }
        public long Long { get; set; }
        public float Single { get; set; }
        public double Double { get; set; }
        public bool Flag { get; set; }
        [VectorType] public int[] Ids { get; set; } = [];
        [VectorType] public float[] Weights { get; set; } = [];
    }

    public sealed class SparseRow
    {
        [VectorType(5)] public VBuffer<float> Features { get; set; }
    }

    public sealed class DateRow
    {
        public string Name { get; set; } = "";
        public DateTime When { get; set; }
    }
}
