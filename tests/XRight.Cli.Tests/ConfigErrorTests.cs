using static XRight.Tests.Cli.CliFixture;

namespace XRight.Tests.Cli;

/// <summary>Bad configs fail before any work, naming the file, the JSON path and what was expected there.</summary>
[TestClass]
public sealed class ConfigErrorTests
{
    private static (int Code, string Output, string File, string Sweep) Plan(string dir, Func<string, string> edit)
    {
        var file = Path.Combine(dir, "sweep.json");
        File.WriteAllText(file, edit(Config(sweep: true)));
        var sweep = Path.Combine(dir, "sweep");
        var (code, output) = Run("sweep", "plan", "--config", file, "--out", sweep);
        return (code, output, file, sweep);
    }

    [TestMethod]
    [DataRow("\"lambda\": 0.5", "\"lambda\": \"half\"", "$.options.strategy.lambda", "expected a number")]
    [DataRow("\"lambda\": 0.5", "\"lambda\": 0.5, \"lambada\": 1", "$.options.strategy.lambada", "unknown name 'lambada' (expected one of: kind, lambda")]
    [DataRow("\"kind\": \"alRight\"", "\"kind\": \"alrite\"", "$.options.strategy.kind", "expected one of sequential, mix, alRight, maxRight, memoryEfficientMaxRight.")]
    [DataRow("\"lambda\": 0.5", "\"lambda\": 1.5", "$.options.strategy.lambda", "1.5")]
    [DataRow("\"lambdas\": [0.5]", "\"lambdas\": [0.5, 2]", "$.sweep.lambdas", "must lie in [0, 1]")]
    [DataRow("\"path\": \"sft.jsonl\"", "\"path\": \"missing.jsonl\"", "$.data.instructions.path", "expected an existing data file")]
    [DataRow("\"path\": \"sft.jsonl\"", "\"path\": \"sft.csv\"", "$.data.instructions.path", "expected a JSON Lines (.jsonl) or Parquet (.parquet) file")]
    [DataRow("\"answer\": \"Response\"", "\"answer\": \"Reply\"", "$.data.instructions.columns.answer", "expected one of Prompt, Response, found 'Reply'")]
    [DataRow("\"folder\": \"base\"", "\"folder\": \"base\", \"config\": \"base/config.json\"", "$.model", "expected exactly one of \"folder\"")]
    [DataRow("\"kind\": \"minIdealDistance\"", "\"kind\": \"closest\"", "$.sweep.rule.kind", "expected one of minIdealDistance, minMixGap")]
    [DataRow("\"epochs\": 2", "\"epochs\": 2.5", "$.options.strategy.epochs", "expected an integer")]
    public void ABadValueFailsBeforeAnyWorkNamingTheFileThePathAndTheExpectation(string original, string replacement, string path, string expected)
    {
        using var dir = new TempDirectory();
        WriteModelAndData(dir.Path, instructions: 4, preferences: 4);
        var (code, output, file, sweep) = Plan(dir.Path, json =>
        {
            Assert.Contains(original, json, "the edit applies");
            return json.Replace(original, replacement);
        });
        Assert.AreEqual(2, code, output);
        StringAssert.Contains(output, $"{file}: {path}: ");
        StringAssert.Contains(output, expected);
        Assert.IsFalse(Directory.Exists(sweep), "nothing was written");
    }

    [TestMethod]
    public void ASweepPlanWithoutASweepSectionAndATrainWithoutOutputFail()
    {
        using var dir = new TempDirectory();
        WriteModelAndData(dir.Path, instructions: 4, preferences: 4);
        var file = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(file, Config(sweep: false).Replace(",\n  \"output\": \"out\"", "").Replace("\"output\": \"out\"", "\"output\": null"));
        var (code, output) = Run("sweep", "plan", "--config", file, "--out", Path.Combine(dir.Path, "sweep"));
        Assert.AreEqual(2, code, output);
        StringAssert.Contains(output, $"{file}: $.sweep: expected a sweep section");
        (code, output) = Run("train", "--config", file);
        Assert.AreEqual(2, code, output);
        StringAssert.Contains(output, $"{file}: $.output: expected the output folder");
        Assert.IsFalse(Directory.Exists(Path.Combine(dir.Path, "out")));
    }
}
