using Microsoft.ML;
using XRight.Modeling;
using XRight.MLNet;
using XRight.Selection;
using XRight.Training;
using static XRight.Tests.MLNet.PostTrainingFixture;

namespace XRight.Tests.MLNet;

[TestClass]
public sealed class ParetoSelectTests
{
    private sealed class Log : IProgress<ParetoProgress>
    {
        public List<ParetoProgress> Events { get; } = [];
        public void Report(ParetoProgress value) { lock (Events) Events.Add(value); }
    }

    [TestMethod]
    public void SweepEstimatesOptimaTrainsEveryCandidatePicksTheClosestToIdealAndResumes()
    {
        using var dir = new TempDirectory();
        var ml = new MLContext(seed: 1);
        var data = TextPipeline(ml).Fit(Combined(ml, instructions: 20, preferences: 12)).Transform(Combined(ml, instructions: 20, preferences: 12));
        var log = new Log();
        var options = new ParetoSelectOptions
        {
            Strategies = [JointStrategy.AlRight, JointStrategy.MemoryEfficientMaxRight],
            Lambdas = [0.5],
            WorkingDirectory = dir.Path,
        };
        var estimator = ml.PostTraining.ParetoSelect(Options(), options, log);
        using var chosen = estimator.Fit(data);
        var report = estimator.Report!;

        // ALRIGHT, MAXRIGHT k=10 and Sequential (1,1) for Epochs = 2.
        CollectionAssert.AreEquivalent(new[] { "ALRIGHT λ=0.5", "MAXRIGHT k=10 λ=0.5", "Sequential (1,1)" }, report.Candidates.Select(c => c.Candidate.Name).ToArray());
        Assert.AreEqual(IdealValueSource.Estimated, report.Ideal.DpoSource, "f* came from the single-objective runs");
        var optimum = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "optimum.json"))).RootElement;
        // The ideal point is the estimate, unless a candidate's final value lies below it: then it moves there (SPEC.md §2).
        double estimate = optimum.GetProperty("Optimum").GetProperty("Dpo").GetDouble();
        var lowest = report.Candidates.MinBy(c => c.Candidate.FDpo)!.Candidate;
        Assert.AreEqual(Math.Min(estimate, lowest.FDpo), report.Ideal.FDpo, 1e-12);
        Assert.AreEqual(lowest.FDpo < estimate ? lowest.Name : null, report.Ideal.DpoMovedToCandidate);
        Assert.AreEqual(lowest.FDpo < estimate ? estimate : null, report.Ideal.DpoBeforeMove);

        // The choice is the minimum ideal distance, recomputed here from the candidates' own numbers.
        var best = report.Candidates.MinBy(c => Math.Sqrt(Math.Pow(c.Candidate.FDpo - report.Ideal.FDpo, 2) + Math.Pow(c.Candidate.FSft - report.Ideal.FSft, 2)))!;
        Assert.AreEqual(best.Candidate.Name, report.Chosen);
        Assert.AreEqual(best.Candidate.FSft, chosen.Summary.Final.FSft, 1e-9, "the returned model is the chosen candidate");
        foreach (var file in new[] { "report.md", "report.json", "objective-space.png", "metrics.png" })
            Assert.IsTrue(File.Exists(Path.Combine(dir.Path, file)), file);
        var joint = report.Candidates.Single(c => c.Candidate.Name == "ALRIGHT λ=0.5");
        Assert.IsNotNull(joint.VersusSequential, "joint runs are compared with the Sequential run of the same epochs");
        Assert.IsFalse(log.Events.Any(e => e.Reused));

        // A second sweep in the same folder reuses every finished candidate and the f* estimate, and says so.
        var again = new Log();
        var second = ml.PostTraining.ParetoSelect(Options(), options, again);
        using var chosenAgain = second.Fit(data);
        Assert.AreEqual(3, again.Events.Count(e => e.Reused && e.Index >= 0));
        Assert.IsTrue(again.Events.Single(e => e.Index < 0).Reused, "f* reused");
        Assert.IsFalse(again.Events.Any(e => e.Step is not null), "nothing trained again");
        Assert.AreEqual(report.Chosen, second.Report!.Chosen);
        Assert.IsTrue(second.Report.Candidates.All(c => c.Candidate.Reused));
        Assert.AreEqual(IdealValueSource.ReusedEstimate, second.Report.Ideal.SftSource);
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir.Path, "report.md")), "**Reused from an earlier sweep:** 3 of 3 candidates");
        CollectionAssert.AreEqual(report.Candidates.Select(c => (c.Candidate.FDpo, c.Candidate.FSft)).ToArray(),
            second.Report.Candidates.Select(c => (c.Candidate.FDpo, c.Candidate.FSft)).ToArray());
    }

    /// <summary>A benchmark whose metric <c>sum</c> is the sum of the model's weights (higher is better).</summary>
    private sealed class WeightSum(string name) : SweepBenchmark(name)
    {
        public int Evaluations { get; private set; }
        public override string Identity => IdentityOf("weight-sum", []);
        public override IReadOnlyList<SelectionMetric> Metrics => [SelectionMetric.Benchmark(Name, "sum")];
        public override IReadOnlyList<SelectionMetric> HeadlineMetrics => Metrics;

        public override XRight.Evaluation.BenchmarkResult Evaluate(CausalLm model, XRight.Text.CausalLmTokenizer tokenizer)
        {
            Evaluations++;
            return new XRight.Evaluation.BenchmarkResult
            {
                Benchmark = "weight-sum",
                Metrics = new Dictionary<string, double> { ["sum"] = Sum(model) },
                Counts = new Dictionary<string, long>(),
                Settings = new Dictionary<string, string>(),
            };
        }

        public static double Sum(CausalLm model)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            return model.parameters().Sum(p => p.detach().to(TorchSharp.torch.ScalarType.Float64).sum().item<double>());
        }
    }

    [TestMethod]
    public void BenchmarksRunOnEveryCandidateZipChooseByARuleAndShowInTheReport()
    {
        using var dir = new TempDirectory();
        var ml = new MLContext(seed: 1);
        var data = TextPipeline(ml).Fit(Combined(ml, instructions: 20, preferences: 12)).Transform(Combined(ml, instructions: 20, preferences: 12));
        var benchmark = new WeightSum("w");
        var options = new ParetoSelectOptions
        {
            Strategies = [JointStrategy.AlRight],
            Lambdas = [0.25, 0.75],
            IncludeSequentialBaselines = false,
            DpoOptimum = 0.1,
            SftOptimum = 0.1,
            WorkingDirectory = dir.Path,
            Benchmarks = [benchmark],
            Rule = SelectionRule.Best(SelectionMetric.Benchmark("w", "sum")),
        };
        var estimator = ml.PostTraining.ParetoSelect(Options(), options);
        using var chosen = estimator.Fit(data);
        var report = estimator.Report!;

        Assert.AreEqual(2, benchmark.Evaluations, "each candidate's zip is loaded back and benchmarked once");
        var best = report.Candidates.MaxBy(c => c.Candidate.Benchmarks["w"].Metrics["sum"])!;
        Assert.AreEqual(best.Candidate.Name, report.Chosen);
        Assert.AreEqual(WeightSum.Sum(chosen.Policy), best.Candidate.Benchmarks["w"].Metrics["sum"], 1e-6, "the result is the returned model's");
        var markdown = File.ReadAllText(Path.Combine(dir.Path, "report.md"));
        StringAssert.Contains(markdown, "| | Candidate | w/sum |");
        StringAssert.Contains(markdown, "- **Rule:** best w/sum (higher is better)");
        Assert.IsTrue(File.Exists(Path.Combine(dir.Path, "benchmarks", "alright-l0.25", "w.json")));

        var again = new WeightSum("w");
        using (ml.PostTraining.ParetoSelect(Options(), options with { Benchmarks = [again] }).Fit(data)) { }
        Assert.AreEqual(0, again.Evaluations, "the cached results are reused");
    }

    [TestMethod]
    public void AnotherBaseModelInTheSameFolderRetrainsEveryCandidate()
    {
        using var dir = new TempDirectory();
        var ml = new MLContext(seed: 1);
        var data = TextPipeline(ml).Fit(Combined(ml, instructions: 20, preferences: 12)).Transform(Combined(ml, instructions: 20, preferences: 12));
        var options = new ParetoSelectOptions { Strategies = [JointStrategy.AlRight], Lambdas = [0.5], WorkingDirectory = dir.Path };
        var first = ml.PostTraining.ParetoSelect(Options(), options);
        using (first.Fit(data)) { }

        // Only the base model differs (its configuration, hence its weights): the options, rows and tokenizer are the same.
        var other = Options() with { BaseModelConfig = CausalLmConfig.CreateGptNeoX(vocabSize: 258, hiddenSize: 16, numLayers: 1, numHeads: 2, eosTokenId: 256) };
        var log = new Log();
        var second = ml.PostTraining.ParetoSelect(other, options, log);
        using var chosen = second.Fit(data);

        Assert.IsFalse(log.Events.Any(e => e.Reused), "nothing is reused for another base model");
        foreach (var name in new[] { "f* estimate", "ALRIGHT λ=0.5", "Sequential (1,1)" })
            Assert.IsTrue(log.Events.Any(e => e.Candidate == name && e.Step is not null), $"{name} trained again");
        Assert.IsFalse(second.Report!.Candidates.Any(c => c.Candidate.Reused));
        Assert.AreEqual(IdealValueSource.Estimated, second.Report.Ideal.DpoSource);
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir.Path, "report.md")), "**Reused from an earlier sweep:** none");
        Assert.AreEqual(16, chosen.Policy.Config.HiddenSize, "the chosen model is one of the new base model");
        foreach (var (before, after) in first.Report!.Candidates.Zip(second.Report.Candidates))
            Assert.AreNotEqual(before.Candidate.FSft, after.Candidate.FSft, $"{before.Candidate.Name}: fresh results, not the stale ones");
    }

    [TestMethod]
    public void BadSweepsFailBeforeTraining()
    {
        var ml = new MLContext();
        Assert.Throws<ArgumentException>(() => ml.PostTraining.ParetoSelect(Options(), new ParetoSelectOptions { Lambdas = [1.5] }));
        Assert.Throws<ArgumentException>(() => ml.PostTraining.ParetoSelect(Options(), new ParetoSelectOptions { Strategies = [JointStrategy.Sequential] }));
    }

    [TestMethod]
    public void EmptyOrDuplicateLambdasFailWhenTheStageIsCreatedWritingNothing()
    {
        var ml = new MLContext();
        using var dir = new TempDirectory();
        var work = Path.Combine(dir.Path, "sweep");
        var empty = Assert.Throws<ArgumentException>(() => ml.PostTraining.ParetoSelect(Options(), new ParetoSelectOptions { Lambdas = [], WorkingDirectory = work }));
        StringAssert.Contains(empty.Message, "ParetoSelectOptions.Lambdas is empty");
        var twice = Assert.Throws<ArgumentException>(() => ml.PostTraining.ParetoSelect(Options(), new ParetoSelectOptions { Lambdas = [0.25, 0.25], WorkingDirectory = work }));
        StringAssert.Contains(twice.Message, "ParetoSelectOptions.Lambdas lists λ = 0.25 more than once");
        Assert.IsFalse(Directory.Exists(work));
    }
}
