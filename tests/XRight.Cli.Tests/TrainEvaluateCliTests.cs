using System.Text.Json;
using Microsoft.ML;
using XRight.Cli.Config;
using XRight.Evaluation;
using XRight.MLNet;
using XRight.Modeling;
using XRight.Selection;
using XRight.Text;
using static XRight.Tests.Cli.CliFixture;

namespace XRight.Tests.Cli;

[TestClass]
public sealed class TrainEvaluateCliTests
{
    [TestMethod]
    public void TrainWritesTheModelZipAndHuggingFaceFolderOfTheInProcessRunAndEvaluateScoresIt()
    {
        using var dir = new TempDirectory();
        WriteModelAndData(dir.Path);
        var file = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(file, Config(sweep: false));

        var (code, output) = Run("train", "--config", file);
        Assert.AreEqual(0, code, output);

        // The same run in this process, through the ML.NET stages the config describes.
        var config = ConfigLoader.Load(file, needSweep: false);
        var ml = config.CreateContext();
        var raw = config.LoadRaw(ml);
        using var expected = config.TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(config.Options)).Fit(raw);
        var summary = expected.LastTransformer.Summary;
        StringAssert.Matches(output, new System.Text.RegularExpressions.Regex("held-out f_DPO +│ " + System.Text.RegularExpressions.Regex.Escape(summary.Final.FDpo.ToString("R", System.Globalization.CultureInfo.InvariantCulture)) + " "));
        StringAssert.Matches(output, new System.Text.RegularExpressions.Regex("held-out f_SFT +│ " + System.Text.RegularExpressions.Regex.Escape(summary.Final.FSft.ToString("R", System.Globalization.CultureInfo.InvariantCulture)) + " "));

        var loaded = new MLContext().PostTraining.LoadModel(Path.Combine(dir.Path, "out", "model.zip"), out _);
        var zipModel = ((IEnumerable<ITransformer>)loaded).OfType<JointPostTrainTransformer>().Single();
        Assert.AreEqual(summary.Final.FDpo, zipModel.Summary.Final.FDpo, 0.0, "the zip holds the same run");
        using (var folder = CausalLm.FromPretrained(Path.Combine(dir.Path, "out", "model")))
        {
            Assert.AreEqual(ContentHash.OfModel(expected.LastTransformer.Policy), ContentHash.OfModel(folder), "the Hugging Face folder holds the trained weights");
        }
        Assert.IsTrue(File.Exists(Path.Combine(dir.Path, "out", "model", "tokenizer.json")), "the tokenizer is saved beside the weights");
        (loaded as IDisposable)?.Dispose();

        // evaluate: MMLU (3 questions, 0 shots) and HellaSwag (2 items) on the saved folder.
        var mmluDev = Path.Combine(dir.Path, "mmlu_dev.jsonl");
        var mmluTest = Path.Combine(dir.Path, "mmlu_test.jsonl");
        var hellaswag = Path.Combine(dir.Path, "hellaswag.jsonl");
        File.WriteAllLines(mmluDev, [JsonSerializer.Serialize(new { subject = "colors", question = "Sky?", choices = new[] { "blue", "red", "green", "pink" }, answer = 0 })]);
        File.WriteAllLines(mmluTest, Enumerable.Range(0, 3).Select(i => JsonSerializer.Serialize(new { subject = "colors", question = $"Color {i}?", choices = new[] { "red", "blue", "green", "black" }, answer = i })));
        File.WriteAllLines(hellaswag, Enumerable.Range(0, 2).Select(i => JsonSerializer.Serialize(new { activity_label = "Greeting", ctx_a = $"Greet {i}.", ctx_b = "then", endings = new[] { "hello!", "go away", "blue.", "red." }, label = i })));
        var results = Path.Combine(dir.Path, "eval.json");
        (code, output) = Run("evaluate", "--model", Path.Combine(dir.Path, "out", "model"), "--mmlu-dev", mmluDev, "--mmlu-test", mmluTest, "--mmlu-shots", "0", "--hellaswag", hellaswag, "--out", results);
        Assert.AreEqual(0, code, output);
        var written = JsonDocument.Parse(File.ReadAllText(results)).RootElement.EnumerateArray().Select(e => BenchmarkResult.FromJson(e.GetRawText())).ToList();
        Assert.HasCount(2, written);
        using var model = CausalLm.FromPretrained(Path.Combine(dir.Path, "out", "model"));
        var tokenizer = CausalLmTokenizer.FromPretrained(Path.Combine(dir.Path, "out", "model"));
        var mmlu = new MmluBenchmark(EvaluationData.ReadMmlu(mmluDev), EvaluationData.ReadMmlu(mmluTest), new MmluOptions { Shots = 0 }).Evaluate(model, tokenizer);
        var hs = new HellaSwagBenchmark(EvaluationData.ReadHellaSwag(hellaswag)).Evaluate(model, tokenizer);
        Assert.AreEqual(mmlu, written[0], "the command's MMLU result is the library's");
        Assert.AreEqual(hs, written[1], "the command's HellaSwag result is the library's");
        Assert.AreEqual(3, written[0].Counts.Values.Max(), "three MMLU questions were scored");

        var missing = Run("evaluate", "--model", Path.Combine(dir.Path, "out", "model"), "--hellaswag", Path.Combine(dir.Path, "none.jsonl"));
        Assert.AreEqual(2, missing.Code);
        StringAssert.Contains(missing.Output, "--hellaswag: '" + Path.Combine(dir.Path, "none.jsonl") + "' does not exist");
    }
}
