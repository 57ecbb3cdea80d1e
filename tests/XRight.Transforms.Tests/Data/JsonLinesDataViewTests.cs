using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;

namespace XRight.Tests.Data;

[TestClass]
public sealed class JsonLinesDataViewTests
{
    private readonly MLContext _ml = new(seed: 1);

    private static string WriteLines(TempDirectory temp, params string[] lines)
    {
        var path = temp.File($"{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
        return path;
    }

    /// <summary>Reads every column of every row through one cursor.</summary>
    private static int ReadAll(IDataView view)
    {
        using var cursor = view.GetRowCursor(view.Schema);
        var rows = 0;
        while (cursor.MoveNext()) rows++;
        return rows;
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void Infers_column_types_from_the_first_values_and_skips_empty_lines(bool streaming)
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp,
            """{"prompt": "Hi", "n": 1, "x": 0.5, "ok": true, "note": null}""",
            "",
            """{"prompt": "Ünïcode \"q\"\nline", "n": -7, "x": 2, "ok": false, "note": "later"}""",
            "   ",
            """{"note": null, "ok": true, "x": -1e-3, "n": 9007199254740993, "prompt": null}""");

        var view = _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { Streaming = streaming });

        CollectionAssert.AreEqual(new[] { "prompt", "n", "x", "ok", "note" }, ViewReading.ColumnNames(view));
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["prompt"].Type);
        Assert.AreEqual(NumberDataViewType.Int64, view.Schema["n"].Type);
        Assert.AreEqual(NumberDataViewType.Double, view.Schema["x"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, view.Schema["ok"].Type);
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["note"].Type, "null first, then a string");
        Assert.AreEqual(streaming ? null : 3L, view.GetRowCount());

        CollectionAssert.AreEqual(new[] { "Hi", "Ünïcode \"q\"\nline", "" }, ViewReading.Texts(view, "prompt"));
        CollectionAssert.AreEqual(new[] { 1L, -7L, 9007199254740993L }, ViewReading.Values<long>(view, "n"));
        CollectionAssert.AreEqual(new[] { 0.5, 2.0, -0.001 }, ViewReading.Values<double>(view, "x"));
        CollectionAssert.AreEqual(new[] { true, false, true }, ViewReading.Values<bool>(view, "ok"));
        CollectionAssert.AreEqual(new[] { "", "later", "" }, ViewReading.Texts(view, "note"));
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void Cursor_positions_and_ids_follow_the_rows_not_the_lines(bool streaming)
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp, """{"a": "x"}""", "", "", """{"a": "y"}""");
        var view = _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { Streaming = streaming });

        using var cursor = view.GetRowCursor(view.Schema);
        var idGetter = cursor.GetIdGetter();
        var positions = new List<long>();
        var ids = new List<DataViewRowId>();
        while (cursor.MoveNext())
        {
            positions.Add(cursor.Position);
            DataViewRowId id = default;
            idGetter(ref id);
            ids.Add(id);
        }

        CollectionAssert.AreEqual(new long[] { 0, 1 }, positions);
        CollectionAssert.AreEqual(new[] { new DataViewRowId(0, 0), new DataViewRowId(1, 0) }, ids);
        Assert.AreEqual(-1L, cursor.Position);
        Assert.IsFalse(cursor.MoveNext());
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<long>(view.Schema["a"]));
    }

    [TestMethod]
    public void A_streaming_cursor_holds_the_file_open_until_it_is_disposed_or_runs_past_the_last_row()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp, """{"a": "x"}""", """{"a": "y"}""");
        var view = _ml.Data.LoadFromJsonLines(path);
        OpenFileHandles.AssertCursorsReleaseTheFile(view, path);
    }

    [TestMethod]
    public void Columns_names_and_types_options_select_rename_and_type_keys()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp,
            """{"instruction": "Add 2 and 3.", "input": "", "output": "5", "score": 4, "id": 17}""",
            """{"instruction": "Name a colour.", "input": "ignored", "output": "Blue", "score": 3.5, "id": 18}""");

        var view = _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions
        {
            Columns = ["output", "instruction", "score"],
            ColumnNames = new Dictionary<string, string> { ["instruction"] = "Prompt", ["output"] = "Response" },
            ColumnTypes = new Dictionary<string, DataViewType> { ["score"] = NumberDataViewType.Double },
        });

        CollectionAssert.AreEqual(new[] { "Response", "Prompt", "score" }, ViewReading.ColumnNames(view));
        CollectionAssert.AreEqual(new[] { "Add 2 and 3.", "Name a colour." }, ViewReading.Texts(view, "Prompt"));
        CollectionAssert.AreEqual(new[] { "5", "Blue" }, ViewReading.Texts(view, "Response"));
        CollectionAssert.AreEqual(new[] { 4.0, 3.5 }, ViewReading.Values<double>(view, "score"));
    }

    [TestMethod]
    public void A_number_that_is_not_integral_in_a_column_inferred_as_Int64_explains_how_to_fix_it()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp, """{"score": 4}""", """{"score": 2.5}""");

        var streamed = _ml.Data.LoadFromJsonLines(path);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ReadAll(streamed));
        var atLoad = Assert.ThrowsExactly<InvalidDataException>(() => _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { Streaming = false }));

        Assert.AreEqual(error.Message, atLoad.Message);
        Assert.Contains($"'{path}', line 2, key 'score'", error.Message);
        Assert.Contains("expects an integer that fits in 64 bits, found the number 2.5", error.Message);
        Assert.Contains("JsonLinesOptions.ColumnTypes[\"score\"] = NumberDataViewType.Double", error.Message);
    }

    [TestMethod]
    public void Bad_lines_are_reported_with_file_line_and_key()
    {
        using var temp = new TempDirectory();
        const string Good = """{"prompt": "p", "n": 1, "ok": true}""";
        var cases = new (string Line, string Expected)[]
        {
            ("""{"prompt": "p", "n": 1, "ok": tru}""", "line 3: invalid JSON"),
            ("""["prompt", "n"]""", "line 3: expected a JSON object, found an array"),
            ("\"just a string\"", "line 3: expected a JSON object, found a string"),
            ("""{"prompt": "p", "ok": true}""", "line 3: key 'n' (column 'n') is missing"),
            ("""{"prompt": 12, "n": 1, "ok": true}""", "line 3, key 'prompt': column 'prompt' (String) expects a string or null, found the number 12"),
            ("""{"prompt": ["a"], "n": 1, "ok": true}""", "line 3, key 'prompt': column 'prompt' (String) expects a string or null, found an array"),
            ("""{"prompt": {"a": 1}, "n": 1, "ok": true}""", "found an object"),
            ("""{"prompt": "p", "n": "1", "ok": true}""", "line 3, key 'n': column 'n' (Int64) expects an integer that fits in 64 bits, found a string"),
            ("""{"prompt": "p", "n": null, "ok": true}""", "key 'n': column 'n' (Int64) expects an integer that fits in 64 bits, found null"),
            ("""{"prompt": "p", "n": 1, "ok": 1}""", "line 3, key 'ok': column 'ok' (Boolean) expects true or false, found the number 1"),
        };
        foreach (var (line, expected) in cases)
        {
            var path = WriteLines(temp, Good, "", line, Good);
            var streamed = _ml.Data.LoadFromJsonLines(path);

            var error = Assert.ThrowsExactly<InvalidDataException>(() => ReadAll(streamed), line);
            var atLoad = Assert.ThrowsExactly<InvalidDataException>(() => _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { Streaming = false }), line);

            Assert.Contains($"'{path}', ", error.Message, line);
            Assert.Contains(expected, error.Message, line);
            Assert.AreEqual(error.Message, atLoad.Message, line);
        }
    }

    [TestMethod]
    public void Streaming_cursors_convert_only_active_columns_while_in_memory_loading_checks_everything()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp, """{"prompt": "a", "n": 1}""", """{"prompt": "b", "n": "not a number"}""");

        var streamed = _ml.Data.LoadFromJsonLines(path);

        CollectionAssert.AreEqual(new[] { "a", "b" }, ViewReading.Texts(streamed, "prompt"));
        Assert.ThrowsExactly<InvalidDataException>(() => ViewReading.Values<long>(streamed, "n"));
        Assert.ThrowsExactly<InvalidDataException>(() => _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { Streaming = false }));
    }

    [TestMethod]
    public void A_null_number_reads_as_NaN_in_a_Double_column()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp, """{"x": null}""", """{"x": 1.5}""", """{"x": null}""");

        var view = _ml.Data.LoadFromJsonLines(path);

        Assert.AreEqual(NumberDataViewType.Double, view.Schema["x"].Type);
        CollectionAssert.AreEqual(new[] { double.NaN, 1.5, double.NaN }, ViewReading.Values<double>(view, "x"));
    }

    [TestMethod]
    public void A_key_missing_from_the_first_object_or_holding_an_array_there_fails_at_load()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp, """{"prompt": "a", "tags": ["x"]}""");

        var missing = Assert.ThrowsExactly<InvalidDataException>(() =>
            _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { Columns = ["prompt", "response"] }));
        var array = Assert.ThrowsExactly<InvalidDataException>(() => _ml.Data.LoadFromJsonLines(path));

        Assert.Contains($"'{path}', line 1: key 'response' is missing from the first object", missing.Message);
        Assert.Contains($"'{path}', line 1, key 'tags': found an array; only strings, numbers, booleans and null can be read", array.Message);
    }

    [TestMethod]
    public void Invalid_options_are_rejected_with_the_option_and_key_named()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp, """{"instruction": "i", "output": "o"}""");
        var cases = new (JsonLinesOptions Options, string Expected)[]
        {
            (new() { ColumnNames = new Dictionary<string, string> { ["Instruction"] = "Prompt" } },
                "JsonLinesOptions.ColumnNames names key 'Instruction', which is not among the keys of the first object"),
            (new() { ColumnNames = new Dictionary<string, string> { ["instruction"] = "output" } },
                "Keys 'instruction' and 'output' would both become column 'output'"),
            (new() { ColumnNames = new Dictionary<string, string> { ["output"] = " " } },
                "maps key 'output' to an empty column name"),
            (new() { ColumnTypes = new Dictionary<string, DataViewType> { ["output"] = NumberDataViewType.Single } },
                "JsonLinesOptions.ColumnTypes[\"output\"] is Single"),
            (new() { Columns = ["output"], ColumnTypes = new Dictionary<string, DataViewType> { ["instruction"] = TextDataViewType.Instance } },
                "JsonLinesOptions.ColumnTypes names key 'instruction', which is not among JsonLinesOptions.Columns"),
            (new() { Columns = [] }, "JsonLinesOptions.Columns is empty"),
            (new() { Columns = ["output", "output"] }, "lists key 'output' more than once"),
        };
        foreach (var (options, expected) in cases)
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => _ml.Data.LoadFromJsonLines(path, options), expected);
            Assert.Contains(expected, error.Message);
        }
    }

    [TestMethod]
    public void An_empty_file_needs_declared_columns()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp, "", "  ");

        var error = Assert.ThrowsExactly<InvalidDataException>(() => _ml.Data.LoadFromJsonLines(path));
        var declared = _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions
        {
            Columns = ["prompt", "n"],
            ColumnTypes = new Dictionary<string, DataViewType> { ["n"] = NumberDataViewType.Int64 },
            Streaming = false,
        });

        Assert.Contains($"'{path}' holds no JSON object", error.Message);
        Assert.AreEqual(0L, declared.GetRowCount());
        Assert.AreEqual(TextDataViewType.Instance, declared.Schema["prompt"].Type);
        Assert.AreEqual(NumberDataViewType.Int64, declared.Schema["n"].Type);
    }

    [TestMethod]
    public void Invalid_UTF8_is_an_error_with_the_line_number_and_a_byte_order_mark_is_accepted()
    {
        using var temp = new TempDirectory();
        var invalid = temp.File("invalid.jsonl");
        File.WriteAllBytes(invalid, [.. "{\"a\": \"ok\"}\n{\"a\": \""u8, 0xC3, 0x28, .. "\"}\n"u8]);
        var bom = temp.File("bom.jsonl");
        File.WriteAllBytes(bom, [0xEF, 0xBB, 0xBF, .. "{\"a\": \"ok\"}\n"u8]);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => ReadAll(_ml.Data.LoadFromJsonLines(invalid)));

        Assert.Contains($"'{invalid}', line 2: the text is not valid UTF-8", error.Message);
        CollectionAssert.AreEqual(new[] { "a" }, ViewReading.ColumnNames(_ml.Data.LoadFromJsonLines(bom)));
    }

    [TestMethod]
    public void Lines_longer_than_the_read_buffer_CRLF_endings_and_a_last_line_without_newline_are_read()
    {
        using var temp = new TempDirectory();
        var path = temp.File("long.jsonl");
        var longText = string.Concat(Enumerable.Repeat("0123456789", 20_000)); // 200,000 chars, over 3 read buffers
        var shortRows = Enumerable.Range(0, 8000).Select(i => $"row {i}").ToList(); // crosses buffer boundaries
        File.WriteAllText(path,
            $"{{\"a\": \"{longText}\"}}\r\n" + string.Concat(shortRows.Select(text => $"{{\"a\": \"{text}\"}}\r\n")) + "{\"a\": \"last\"}",
            new UTF8Encoding(false));

        var texts = ViewReading.Texts(_ml.Data.LoadFromJsonLines(path), "a");

        CollectionAssert.AreEqual(new[] { longText }.Concat(shortRows).Append("last").ToList(), texts);
    }

    [TestMethod]
    public void A_missing_file_is_reported_with_its_path()
    {
        using var temp = new TempDirectory();

        var error = Assert.ThrowsExactly<FileNotFoundException>(() => _ml.Data.LoadFromJsonLines(temp.File("absent.jsonl")));

        Assert.AreEqual(temp.File("absent.jsonl"), error.FileName);
    }
}
