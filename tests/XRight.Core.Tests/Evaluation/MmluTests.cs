using System.Text.Json;
using XRight.Evaluation;

namespace XRight.Tests.Evaluation;

[TestClass]
public sealed class MmluTests
{
    private static IReadOnlyList<MmluQuestion> Dev => EvaluationData.ReadMmlu(SharedAssets.Require("data/eval/mmlu_dev.jsonl"));

    private static IReadOnlyList<MmluQuestion> Test => EvaluationData.ReadMmlu(SharedAssets.Require("data/eval/mmlu_test.jsonl"));

    // The README's worked 1-shot prompts (world_religions dev[0] + test[0]).
    private const string HarnessExample =
        "The following are multiple choice questions (with answers) about world religions.\n\nWhat is the sign of the covenant for Jewish males?\nA. The rainbow\nB. Circumcision\nC. A son\nD. Bar mitzvah\nAnswer: B\n\nWhat can murtis be translated as?\nA. Offerings\nB. Prayers\nC. Apparitions\nD. Idols\nAnswer:";

    private const string OriginalExample =
        "The following are multiple choice questions (with answers) about  world religions.\n\n What is the sign of the covenant for Jewish males?\nA. The rainbow\nB. Circumcision\nC. A son\nD. Bar mitzvah\nAnswer: B\n\n What can murtis be translated as?\nA. Offerings\nB. Prayers\nC. Apparitions\nD. Idols\nAnswer:";

    [TestMethod]
    public void TheFilesReadAsTheReadmeDescribesThem()
    {
        var dev = Dev;
        var test = Test;
        Assert.AreEqual(50, dev.Count);
        Assert.AreEqual(200, test.Count);
        Assert.AreEqual(10, test.Select(q => q.Subject).Distinct().Count());
        Assert.IsTrue(dev.GroupBy(q => q.Subject).All(g => g.Count() == 5));
        Assert.IsTrue(test.GroupBy(q => q.Subject).All(g => g.Count() == 20));
        var leadingSpace = dev.Concat(test).Where(q => q.Question.StartsWith(' ')).GroupBy(q => q.Subject).ToDictionary(g => g.Key, g => g.Count());
        Assert.AreEqual(26, leadingSpace.Values.Sum());
        Assert.AreEqual(13, leadingSpace["world_religions"]);
        Assert.AreEqual(12, leadingSpace["marketing"]);
        Assert.AreEqual(1, leadingSpace["philosophy"]);
        Assert.AreEqual(1, test.Count(q => q.Question.Contains('\n')), "one computer_security question has a line break");
    }

    [TestMethod]
    public void OneShotPromptsMatchTheWorkedExamplesOfBothConventions()
    {
        var dev = Dev;
        var question = Test.First(q => q.Subject == "world_religions");
        var harness = new MmluBenchmark(dev, Test, new MmluOptions { Shots = 1, Format = MmluPromptFormat.Harness });
        var original = new MmluBenchmark(dev, Test, new MmluOptions { Shots = 1, Format = MmluPromptFormat.Original });
        Assert.AreEqual(HarnessExample, harness.Prompt(question));
        Assert.AreEqual(OriginalExample, original.Prompt(question));
        Assert.AreEqual(HarnessExample, new MmluBenchmark(dev, Test).Prompt(question), "the harness form and one shot are the defaults");
        Assert.AreEqual(3, question.Answer, "the gold answer is D");
        CollectionAssert.AreEqual(new[] { " A", " B", " C", " D" }, MmluPrompts.Continuations.ToArray());
    }

    [TestMethod]
    public void HeadersAndShotCounts()
    {
        Assert.AreEqual("The following are multiple choice questions (with answers) about abstract algebra.\n\n", MmluPrompts.Header("abstract_algebra", MmluPromptFormat.Harness));
        Assert.AreEqual("The following are multiple choice questions (with answers) about  high school macroeconomics.\n\n", MmluPrompts.Header("high_school_macroeconomics", MmluPromptFormat.Original));
        var dev = Dev;
        var question = Test.First(q => q.Subject == "world_religions");
        var zeroShot = new MmluBenchmark(dev, Test, new MmluOptions { Shots = 0 }).Prompt(question);
        Assert.AreEqual("The following are multiple choice questions (with answers) about world religions.\n\nWhat can murtis be translated as?\nA. Offerings\nB. Prayers\nC. Apparitions\nD. Idols\nAnswer:", zeroShot);
        var fiveShot = new MmluBenchmark(dev, Test, new MmluOptions { Shots = 5 });
        var shots = fiveShot.ShotsFor("world_religions");
        CollectionAssert.AreEqual(dev.Where(q => q.Subject == "world_religions").ToArray(), shots.ToArray(), "first_n: the subject's dev rows in file order");
        Assert.AreEqual(6, fiveShot.Prompt(question).Split("\nAnswer:").Length - 1, "five answered shots and the question");
        Assert.ThrowsExactly<ArgumentException>(() => new MmluBenchmark(dev, Test, new MmluOptions { Shots = 6 }), "only five dev rows per subject");
    }

    [TestMethod]
    public void TheOriginalFormDropsShotsWhileThePromptIsTooLong()
    {
        var dev = Dev;
        var question = Test.First(q => q.Subject == "world_religions");
        var original = new MmluBenchmark(dev, Test, new MmluOptions { Shots = 3, Format = MmluPromptFormat.Original });
        var tokenizer = EvalModels.Bytes;
        string none = MmluPrompts.Build(question, [], MmluPromptFormat.Original);
        string one = MmluPrompts.Build(question, dev.Where(q => q.Subject == "world_religions").Take(1).ToList(), MmluPromptFormat.Original);
        Assert.AreEqual(one, original.Prompt(question, tokenizer, maxTokens: one.Length), "byte-level: one token per byte, so exactly one shot fits");
        Assert.AreEqual(none, original.Prompt(question, tokenizer, maxTokens: one.Length - 1));
        Assert.AreEqual(none, original.Prompt(question, tokenizer, maxTokens: 10), "the question alone is kept even when it does not fit");
    }

    [TestMethod]
    public void AModelThatAlwaysPrefersBScoresTheShareOfBAnswers()
    {
        // Count the gold answers from the raw JSON, independently of the reader.
        var answers = File.ReadLines(SharedAssets.Require("data/eval/mmlu_test.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(row => (Subject: row.GetProperty("subject").GetString()!, Answer: row.GetProperty("answer").GetInt32())).ToList();
        double expected = answers.Count(a => a.Answer == 1) / 200.0;

        using var model = EvalModels.ConstantLogits(new Dictionary<int, double> { ['B'] = 3.0 });
        foreach (var format in new[] { MmluPromptFormat.Harness, MmluPromptFormat.Original })
        {
            var result = new MmluBenchmark(Dev, Test, new MmluOptions { Format = format }).Evaluate(model, EvalModels.Bytes);
            Assert.AreEqual(expected, result.Metrics["acc"], 1e-12, format.ToString());
            Assert.AreEqual(200, result.Counts["questions"]);
            Assert.AreEqual(answers.Count(a => a.Answer == 1), result.Counts["correct"]);
            foreach (var subject in answers.Select(a => a.Subject).Distinct())
                Assert.AreEqual(answers.Count(a => a.Subject == subject && a.Answer == 1) / 20.0, result.Metrics["acc/" + subject], 1e-12, subject);
            Assert.AreEqual(format == MmluPromptFormat.Harness ? "harness" : "original", result.Settings["format"]);
            Assert.AreEqual("1", result.Settings["shots"]);
            Assert.AreEqual("2048", result.Settings["max_length"]);
        }
        Assert.IsTrue(expected is > 0.1 and < 0.5, "the subset's answers are not all B");
    }
}
