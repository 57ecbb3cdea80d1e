using Microsoft.Data.Analysis;
using Microsoft.ML;
using XRight.Data;
using XRight.Text;

namespace XRight.Tests.Data;

[TestClass]
public sealed class PostTrainingDataReaderTests
{
    private readonly MLContext _ml = new(seed: 1);

    // Row by row: 1 ok, 2 blank prompt, 3 empty chosen, 4 blank rejected, 5 chosen == rejected,
    // 6 empty prompt and chosen (counted once, as prompt), 7 ok, 8 differs only by a trailing space (kept).
    private static readonly PreferenceRow[] Preferences =
    [
        new("Q1", " yes", " no"),
        new("   ", " a", " b"),
        new("Q3", "", " b"),
        new("Q4", " a", "\t"),
        new("Q5", " same", " same"),
        new("", "", " b"),
        new("Q7", " good", " bad"),
        new("Q8", " Same ", " Same"),
    ];

    [TestMethod]
    public void Lenient_reading_keeps_good_rows_and_counts_each_skipped_row_once()
    {
        var (examples, report) = PostTrainingDataReader.ReadPreferences(_ml.Data.LoadFromEnumerable(Preferences));

        CollectionAssert.AreEqual(
            new[] { new PreferenceExample("Q1", " yes", " no"), new PreferenceExample("Q7", " good", " bad"), new PreferenceExample("Q8", " Same ", " Same") },
            examples.ToArray());
        Assert.AreEqual(8L, report.RowsRead);
        Assert.AreEqual(3L, report.RowsKept);
        Assert.AreEqual(5L, report.RowsSkipped);
        Assert.AreEqual(2L, report.EmptyPrompts);
        Assert.AreEqual(1L, report.EmptyChosen);
        Assert.AreEqual(1L, report.EmptyRejected);
        Assert.AreEqual(1L, report.ChosenEqualsRejected);
        Assert.AreEqual(0L, report.EmptyResponses);
        Assert.AreEqual("8 rows read, 3 kept, 5 skipped: 2 empty prompt, 1 empty chosen, 1 empty rejected, 1 chosen == rejected", report.ToString());
    }

    [TestMethod]
    public void Strict_reading_stops_at_the_first_bad_row_naming_source_column_and_row()
    {
        var view = _ml.Data.LoadFromEnumerable(Preferences);

        var error = Assert.ThrowsExactly<InvalidDataException>(() =>
            PostTrainingDataReader.ReadPreferences(view, options: new DataValidationOptions { Strict = true }));

        Assert.StartsWith("in-memory data, row 2, column 'Prompt': the prompt is empty or whitespace.", error.Message);
    }

    [TestMethod]
    public void Strict_reading_of_a_file_names_the_file_and_both_columns_for_equal_responses()
    {
        using var temp = new TempDirectory();
        var path = temp.File("pairs.jsonl");
        File.WriteAllLines(path,
        [
            """{"Prompt": "Q1", "Chosen": " a", "Rejected": " b"}""",
            "",
            """{"Prompt": "Q2", "Chosen": " same", "Rejected": " same"}""",
        ]);
        var view = _ml.Data.LoadFromJsonLines(path);

        var error = Assert.ThrowsExactly<InvalidDataException>(() =>
            PostTrainingDataReader.ReadPreferences(view, options: new DataValidationOptions { Strict = true }));
        var lenient = PostTrainingDataReader.ReadPreferences(view).Report;

        Assert.StartsWith($"'{path}', row 2, columns 'Chosen' and 'Rejected': chosen and rejected are the same text.", error.Message);
        Assert.AreEqual("2 rows read, 1 kept, 1 skipped: 1 chosen == rejected", lenient.ToString());
    }

    [TestMethod]
    public void Strict_reading_of_clean_data_returns_everything()
    {
        var clean = Preferences.Where((_, i) => i is 0 or 6 or 7).ToArray();

        var (examples, report) = PostTrainingDataReader.ReadPreferences(_ml.Data.LoadFromEnumerable(clean), options: new DataValidationOptions { Strict = true });

        Assert.HasCount(3, examples);
        Assert.AreEqual("3 rows read, 3 kept, 0 skipped", report.ToString());
    }

    [TestMethod]
    public void Instructions_skip_empty_prompts_and_responses_with_custom_column_names()
    {
        var rows = new[]
        {
            new InstructionRow("Add 2 and 3.", "5"),
            new InstructionRow("Say nothing.", " \n "),
            new InstructionRow("\n", "orphan"),
            new InstructionRow("Name a colour.", "Blue"),
        };
        var columns = new PostTrainingColumnNames { Prompt = "instruction", Response = "output" };

        var (examples, report) = PostTrainingDataReader.ReadInstructions(_ml.Data.LoadFromEnumerable(rows), columns);
        var strict = Assert.ThrowsExactly<InvalidDataException>(() =>
            PostTrainingDataReader.ReadInstructions(_ml.Data.LoadFromEnumerable(rows), columns, new DataValidationOptions { Strict = true }));

        CollectionAssert.AreEqual(new[] { new InstructionExample("Add 2 and 3.", "5"), new InstructionExample("Name a colour.", "Blue") }, examples.ToArray());
        Assert.AreEqual("4 rows read, 2 kept, 2 skipped: 1 empty prompt, 1 empty response", report.ToString());
        Assert.StartsWith("in-memory data, row 2, column 'output': the response is empty or whitespace.", strict.Message);
    }

    [TestMethod]
    public void A_DataFrame_with_string_columns_is_read_and_its_nulls_count_as_empty()
    {
        var frame = new DataFrame(
            new StringDataFrameColumn("Prompt", ["Q1", "Q2", null, "Q4"]),
            new StringDataFrameColumn("Chosen", [" a", null, " c", " d"]),
            new StringDataFrameColumn("Rejected", [" b", " x", " y", " d"]));

        var (examples, report) = PostTrainingDataReader.ReadPreferences(frame);
        var strict = Assert.ThrowsExactly<InvalidDataException>(() =>
            PostTrainingDataReader.ReadPreferences(frame, options: new DataValidationOptions { Strict = true }));

        CollectionAssert.AreEqual(new[] { new PreferenceExample("Q1", " a", " b") }, examples.ToArray());
        Assert.AreEqual("4 rows read, 1 kept, 3 skipped: 1 empty prompt, 1 empty chosen, 1 chosen == rejected", report.ToString());
        Assert.StartsWith("in-memory data, row 2, column 'Chosen'", strict.Message);
    }

    [TestMethod]
    public void A_missing_column_names_the_source_the_column_and_the_columns_found()
    {
        var view = _ml.Data.LoadFromEnumerable(new[] { new InstructionRow("p", "r") });

        var error = Assert.ThrowsExactly<ArgumentException>(() => PostTrainingDataReader.ReadPreferences(view));

        Assert.AreEqual("data", error.ParamName);
        Assert.Contains("in-memory data has no column 'Prompt' (expected text). Columns found: 'instruction', 'output'.", error.Message);
    }

    [TestMethod]
    public void A_column_that_differs_only_in_case_is_pointed_out_with_the_file_path()
    {
        using var temp = new TempDirectory();
        var path = temp.File("lower.jsonl");
        File.WriteAllText(path, """{"prompt": "p", "chosen": "c", "rejected": "r"}""" + "\n");
        var view = _ml.Data.LoadFromJsonLines(path);

        var error = Assert.ThrowsExactly<ArgumentException>(() => PostTrainingDataReader.ReadPreferences(view));

        Assert.Contains($"'{path}' has no column 'Prompt'", error.Message);
        Assert.Contains("case-sensitive and 'prompt' differs only in case", error.Message);
    }

    [TestMethod]
    public void A_column_of_the_wrong_type_names_what_was_expected_and_found()
    {
        using var temp = new TempDirectory();
        var path = temp.File("numbers.jsonl");
        File.WriteAllText(path, """{"Prompt": 1, "Response": "r"}""" + "\n");
        var view = _ml.Data.LoadFromJsonLines(path);

        var error = Assert.ThrowsExactly<ArgumentException>(() => PostTrainingDataReader.ReadInstructions(view));

        Assert.Contains($"'{path}': column 'Prompt' has type Int64; expected text (String).", error.Message);
    }

    [TestMethod]
    public void A_blank_column_name_option_is_rejected()
    {
        var view = _ml.Data.LoadFromEnumerable(Preferences);

        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            PostTrainingDataReader.ReadPreferences(view, new PostTrainingColumnNames { Rejected = "" }));

        Assert.AreEqual("columns", error.ParamName);
        Assert.Contains("PostTrainingColumnNames.Rejected must name a column", error.Message);
    }

    public sealed record PreferenceRow(string Prompt, string Chosen, string Rejected);

    public sealed class InstructionRow(string instruction, string output)
    {
        public string instruction { get; set; } = instruction;
        public string output { get; set; } = output;
    }
}
