using System.Text;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;
using XRight.Text;

namespace XRight.Tests.TextStages;

/// <summary>Parquet, JSON Lines and DataFrame inputs all reach the token columns, with the same ids.</summary>
[TestClass]
public sealed class DataSourcesThroughTextStagesTests
{
    private static readonly (string Prompt, string Chosen, string Rejected)[] Rows =
    [
        ("Is water wet?", "Yes.", "No."),
        ("Capital of France?", "Paris.", "Lyon."),
    ];

    [TestMethod]
    public void ParquetJsonLinesAndDataFrameGiveTheSameTokens()
    {
        var ml = new MLContext();
        using var dir = new TempDirectory();
        var jsonl = dir.File("pairs.jsonl");
        File.WriteAllLines(jsonl, Rows.Select(r => System.Text.Json.JsonSerializer.Serialize(new { prompt = r.Prompt, chosen = r.Chosen, rejected = r.Rejected })));
        var options = new JsonLinesOptions { ColumnNames = new Dictionary<string, string> { ["prompt"] = "Prompt", ["chosen"] = "Chosen", ["rejected"] = "Rejected" } };
        var fromJson = ml.Data.LoadFromJsonLines(jsonl, options);

        var parquet = dir.File("pairs.parquet");
        ml.Data.SaveAsParquet(fromJson, parquet);
        var fromParquet = ml.Data.LoadFromParquet(parquet);

        var frame = new DataFrame(
            new StringDataFrameColumn("Prompt", Rows.Select(r => r.Prompt)),
            new StringDataFrameColumn("Chosen", Rows.Select(r => r.Chosen)),
            new StringDataFrameColumn("Rejected", Rows.Select(r => r.Rejected)));

        var pipeline = ml.Transforms.Text.FormatPrompt().Append(ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(), 64));
        var expected = Encoding.UTF8.GetBytes("User: Capital of France?\nAssistant: ").Select(b => (int)b).ToArray();
        foreach (var (name, view) in new (string, IDataView)[] { ("jsonl", fromJson), ("parquet", fromParquet), ("dataframe", frame) })
        {
            var output = pipeline.Fit(view).Transform(view);
            var prompts = output.GetColumn<VBuffer<int>>("PromptTokens").Select(v => v.DenseValues().ToArray()).ToArray();
            var chosen = output.GetColumn<VBuffer<int>>("ChosenTokens").Select(v => v.DenseValues().ToArray()).ToArray();
            Assert.AreEqual(2, prompts.Length, name);
            CollectionAssert.AreEqual(expected, prompts[1], name);
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("Paris. ").Select(b => (int)b).Append(256).ToArray(), chosen[1], name);
        }
    }
}
