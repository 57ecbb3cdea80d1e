using XRight.Evaluation;
using XRight.Tests.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Evaluation;

[TestClass]
public sealed class EvaluationCacheTests
{
    private static BenchmarkResult Result(double acc) => new()
    {
        Benchmark = "mmlu",
        Metrics = new Dictionary<string, double> { ["acc"] = acc, ["acc/anatomy"] = double.NaN, ["rate"] = double.PositiveInfinity },
        Counts = new Dictionary<string, long> { ["questions"] = 200, ["correct"] = 57 },
        Settings = new Dictionary<string, string> { ["format"] = "harness", ["target_delimiter"] = " ", ["fewshot_delimiter"] = "\n\n" },
    };

    [TestMethod]
    public void ResultsRoundTripThroughJson()
    {
        var result = Result(0.285);
        var json = result.ToJson();
        StringAssert.Contains(json, "\"NaN\"");
        var back = BenchmarkResult.FromJson(json);
        Assert.AreEqual(result, back);
        Assert.AreEqual(0.285, back.Metrics["acc"]);
        Assert.IsTrue(double.IsNaN(back.Metrics["acc/anatomy"]));
        Assert.AreEqual("\n\n", back.Settings["fewshot_delimiter"]);
        Assert.AreNotEqual(result, Result(0.29));
        Assert.AreNotEqual(result, result with { Settings = new Dictionary<string, string> { ["format"] = "original" } });
        Assert.ThrowsExactly<InvalidDataException>(() => BenchmarkResult.FromJson("[1, 2]"));
    }

    [TestMethod]
    public void AnInterruptedEvaluationResumesFromTheFile()
    {
        using var directory = new TempDirectory();
        var path = directory.File("cache.json");
        var settings = new Dictionary<string, string> { ["shots"] = "1", ["data"] = "abc" };
        int runs = 0;
        BenchmarkResult Evaluate() { runs++; return Result(0.25); }

        var first = new EvaluationCache(path).GetOrEvaluate("model-a", "mmlu", settings, Evaluate);
        Assert.AreEqual(1, runs);
        // A new process: the cache file answers, the evaluation does not run again.
        var cache = new EvaluationCache(path);
        Assert.AreEqual(1, cache.Count);
        Assert.AreEqual(first, cache.GetOrEvaluate("model-a", "mmlu", new Dictionary<string, string> { ["data"] = "abc", ["shots"] = "1" }, Evaluate));
        Assert.AreEqual(1, runs, "settings in another order are the same settings");

        cache.GetOrEvaluate("model-a", "mmlu", new Dictionary<string, string> { ["shots"] = "5", ["data"] = "abc" }, Evaluate);
        cache.GetOrEvaluate("model-b", "mmlu", settings, Evaluate);
        cache.GetOrEvaluate("model-a", "hellaswag", settings, Evaluate);
        Assert.AreEqual(4, runs, "another setting, model or benchmark is another entry");
        Assert.AreEqual(4, new EvaluationCache(path).Count);

        File.WriteAllText(path, "not json");
        Assert.ThrowsExactly<InvalidDataException>(() => new EvaluationCache(path));
    }

    [TestMethod]
    public void FingerprintsFollowTheWeightsAndTheTokenizer()
    {
        using var a = TinyModels.Randomized(TinyModels.NeoX(), seed: 1);
        using var b = TinyModels.Randomized(TinyModels.NeoX(), seed: 1);
        Assert.AreEqual(Fingerprint.Of(a), Fingerprint.Of(b));
        using (no_grad()) b.parameters().First().add_(1e-3f);
        Assert.AreNotEqual(Fingerprint.Of(a), Fingerprint.Of(b));
        Assert.AreNotEqual(Fingerprint.Of(a, EvalModels.Bytes), Fingerprint.Of(a), "the tokenizer is part of what a prompt goes through");
        Assert.AreEqual(Fingerprint.Of(EvalModels.Bytes), Fingerprint.Of(XRight.Text.CausalLmTokenizer.CreateByteLevel()));
    }
}
