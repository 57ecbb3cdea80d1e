using System.Text.Json;
using Microsoft.ML;
using XRight.Data;

namespace XRight.Tests.Data;

/// <summary>The real developer subsets beside the repository, checked against an independent System.Text.Json read.</summary>
[TestClass]
public sealed class SharedDataFilesTests
{
    private static readonly Dictionary<string, string> PreferenceNames = new()
    {
        ["prompt"] = "Prompt", ["chosen"] = "Chosen", ["rejected"] = "Rejected",
    };

    private static readonly Dictionary<string, string> InstructionNames = new()
    {
        ["prompt"] = "Prompt", ["response"] = "Response",
    };

    private readonly MLContext _ml = new(seed: 1);

    private static List<Dictionary<string, string>> ReadIndependently(string path) =>
        File.ReadLines(path)
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<Dictionary<string, string>>(line)!)
            .ToList();

    [TestMethod]
    public void HH_preference_file_loads_2000_rows_with_the_exact_texts()
    {
        var path = SharedAssets.Require("data/hh_rlhf_pref_2k.jsonl");
        var expected = ReadIndependently(path);

        var view = _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { ColumnNames = PreferenceNames });
        var (examples, report) = PostTrainingDataReader.ReadPreferences(view);

        Assert.HasCount(2000, expected);
        Assert.AreEqual(2000L, report.RowsRead);
        Assert.AreEqual(2000L, report.RowsKept, report.ToString());
        Assert.AreEqual("2000 rows read, 2000 kept, 0 skipped", report.ToString());
        Assert.AreEqual(new PreferenceExample(expected[0]["prompt"], expected[0]["chosen"], expected[0]["rejected"]), examples[0]);
        Assert.AreEqual(new PreferenceExample(expected[^1]["prompt"], expected[^1]["chosen"], expected[^1]["rejected"]), examples[^1]);
        Assert.StartsWith("\n\nHuman: How can I stalk someone", examples[0].Prompt);
        Assert.EndsWith("\n\nAssistant:", examples[0].Prompt);
        CollectionAssert.AreEqual(expected.Select(row => row["chosen"]).ToList(), examples.Select(e => e.Chosen).ToList());
    }

    [TestMethod]
    public void Alpaca_instruction_file_loads_402_rows_with_the_exact_texts()
    {
        var path = SharedAssets.Require("data/alpaca_gpt4_sft_2k.jsonl");
        var expected = ReadIndependently(path);

        var view = _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { ColumnNames = InstructionNames, Streaming = false });
        var (examples, report) = PostTrainingDataReader.ReadInstructions(view);

        Assert.AreEqual(402L, view.GetRowCount());
        Assert.AreEqual("402 rows read, 402 kept, 0 skipped", report.ToString());
        Assert.AreEqual(new InstructionExample("Offer a suitable name for a vegan restaurant.", expected[0]["response"]), examples[0]);
        Assert.StartsWith("Some suggestions for names for a vegan restaurant could be:\n\"Green Haven\"", examples[0].Response);
        CollectionAssert.AreEqual(expected.Select(row => row["prompt"]).ToList(), examples.Select(e => e.Prompt).ToList());
        CollectionAssert.AreEqual(expected.Select(row => row["response"]).ToList(), examples.Select(e => e.Response).ToList());
    }

    [TestMethod]
    public void HH_preferences_read_the_same_after_a_trip_through_Parquet()
    {
        var source = SharedAssets.Require("data/hh_rlhf_pref_2k.jsonl");
        using var temp = new TempDirectory();
        var parquet = temp.File("hh.parquet");
        var fromJson = _ml.Data.LoadFromJsonLines(source, new JsonLinesOptions { ColumnNames = PreferenceNames });

        _ml.Data.SaveAsParquet(fromJson, parquet, rowGroupSize: 600);
        var fromParquet = _ml.Data.LoadFromParquet(parquet);

        Assert.AreEqual(4, ParquetTestFiles.RowGroupCount(parquet));
        Assert.AreEqual(2000L, fromParquet.GetRowCount());
        CollectionAssert.AreEqual(
            PostTrainingDataReader.ReadPreferences(fromJson).Examples.ToList(),
            PostTrainingDataReader.ReadPreferences(fromParquet).Examples.ToList());
    }
}
