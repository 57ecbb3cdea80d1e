using System.Globalization;
using XRight.Evaluation;
using XRight.Modeling;
using XRight.Selection;
using XRight.Tests.Training;
using XRight.Text;
using XRight.Training;
using static TorchSharp.torch;

namespace XRight.Tests.Selection;

/// <summary>Benchmarks run on every candidate of a sweep, cached per candidate and benchmark.</summary>
[TestClass]
public sealed class SweepBenchmarkTests
{
    /// <summary>
    /// A benchmark whose one metric, <c>sum</c>, is the sum of all the model's weights plus <see cref="Offset"/>
    /// (a setting, part of its identity); it counts its evaluations per model path.
    /// </summary>
    private sealed class WeightSumBenchmark(string name, double offset) : SweepBenchmark(name)
    {
        public double Offset { get; } = offset;
        public List<double> Evaluated { get; } = [];
        public override string Identity => IdentityOf("weight-sum", [new("offset", Offset.ToString("R", CultureInfo.InvariantCulture))]);
        public override IReadOnlyList<SelectionMetric> Metrics => [SelectionMetric.Benchmark(Name, "sum")];
        public override IReadOnlyList<SelectionMetric> HeadlineMetrics => Metrics;

        public override BenchmarkResult Evaluate(CausalLm model, CausalLmTokenizer tokenizer)
        {
            double sum = WeightSum(model) + Offset;
            Evaluated.Add(sum);
            return new BenchmarkResult
            {
                Benchmark = "weight-sum",
                Metrics = new Dictionary<string, double> { ["sum"] = sum },
                Counts = new Dictionary<string, long> { ["tensors"] = model.parameters().Count() },
                Settings = new Dictionary<string, string> { ["offset"] = Offset.ToString("R", CultureInfo.InvariantCulture) },
            };
        }
    }

    // An independent double-precision sum of every parameter.
    private static double WeightSum(CausalLm model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().Sum(p => p.detach().to(ScalarType.Float64).sum().item<double>());
    }

    private sealed class Log : IProgress<ParetoProgress>
    {
        public List<ParetoProgress> Events { get; } = [];
        public void Report(ParetoProgress value) => Events.Add(value);
    }

    /// <summary>A trainer that saves folders but cannot load them back.</summary>
    private sealed class SaveOnlyTrainer : ISweepCandidateTrainer
    {
        private readonly PretrainedFolderCandidateTrainer _inner = new();
        public string ModelSuffix => _inner.ModelSuffix;
        public TrainingRunSummary Train(SweepCandidateRun run, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) => _inner.Train(run, progress, cancellationToken);
    }

    /// <summary>Saves folders without tokenizer files (the tiny task's vocabulary is not a tokenizer's) and loads them with a byte-level one, which the weight sum never uses.</summary>
    private sealed class FolderTrainer : ISweepCandidateTrainer, ISweepModelLoader
    {
        private readonly PretrainedFolderCandidateTrainer _inner = new();
        public string ModelSuffix => _inner.ModelSuffix;
        public TrainingRunSummary Train(SweepCandidateRun run, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) => _inner.Train(run, progress, cancellationToken);

        public SweepModel Load(string modelPath)
        {
            var model = CausalLm.FromPretrained(modelPath);
            return new SweepModel(model, CausalLmTokenizer.CreateByteLevel(), model);
        }
    }

    private static SweepInputs Inputs()
    {
        using var probe = TinyTask.Model(1);
        return new SweepInputs
        {
            Options = TinyTask.Options(JointStrategy.AlRight),
            Data = TinyTask.Data(instructions: 12, preferences: 8),
            CreateModel = () => TinyTask.Model(1),
            ModelIdentity = ContentHash.OfModel(probe),
        };
    }

    // One joint candidate and Sequential (1,1); f* given, so no estimate runs.
    private static ParetoSweepOptions Options(string work, params SweepBenchmark[] benchmarks) => new()
    {
        Strategies = [JointStrategy.AlRight],
        Lambdas = [0.5],
        DpoOptimum = 0.1,
        SftOptimum = 0.1,
        WorkingDirectory = work,
        Benchmarks = benchmarks,
    };

    private static ParetoSweepResult Run(ParetoSweepOptions options, Log? log = null) =>
        new ParetoSweep(options).Run(Inputs(), new FolderTrainer(), log);

    [TestMethod]
    public void EveryCandidateIsBenchmarkedCachedAndAChangedSettingRecomputesOnlyThatBenchmark()
    {
        using var dir = new TempDirectory();
        var a = new WeightSumBenchmark("a", 0);
        var b = new WeightSumBenchmark("b", 1);
        var first = Run(Options(dir.Path, a, b));

        Assert.HasCount(2, a.Evaluated, "the joint candidate and the Sequential baseline");
        Assert.HasCount(2, b.Evaluated);
        foreach (var row in first.Report.Candidates)
        {
            using var saved = CausalLm.FromPretrained(row.Candidate.ModelPath!);
            double expected = WeightSum(saved);
            Assert.AreEqual(expected, row.Candidate.Benchmarks["a"].Metrics["sum"], 1e-9, row.Candidate.Name);
            Assert.AreEqual(expected + 1, row.Candidate.Benchmarks["b"].Metrics["sum"], 1e-9, row.Candidate.Name);
            Assert.IsTrue(File.Exists(Path.Combine(dir.Path, "benchmarks", row.Candidate.Name.StartsWith("ALRIGHT") ? "alright-l0.5" : "sequential-1-1", "a.json")));
        }
        // Default ∆m% metrics: the objectives and each benchmark's headline metric.
        var overall = first.Report.Candidates.Single(r => !r.Candidate.IsSequential).VersusSequential!.Overall!;
        CollectionAssert.AreEqual(new[] { "f_DPO ↓", "f_SFT ↓", "a/sum ↑", "b/sum ↑" }, overall.Metrics.ToArray());
        var joint = first.Report.Candidates.Single(r => !r.Candidate.IsSequential).Candidate;
        var sequential = first.Report.Candidates.Single(r => r.Candidate.IsSequential).Candidate;
        double Relative(double x, double y) => (x - y) / y;
        double expectedPercent = (-Relative(joint.FDpo, sequential.FDpo) - Relative(joint.FSft, sequential.FSft)
            + Relative(joint.Benchmarks["a"].Metrics["sum"], sequential.Benchmarks["a"].Metrics["sum"])
            + Relative(joint.Benchmarks["b"].Metrics["sum"], sequential.Benchmarks["b"].Metrics["sum"])) / 4 * 100;
        Assert.AreEqual(expectedPercent, overall.Percent!.Value, 1e-9);

        // The same sweep again: nothing is trained or evaluated; the results come back from the cache.
        var a2 = new WeightSumBenchmark("a", 0);
        var b2 = new WeightSumBenchmark("b", 1);
        var log = new Log();
        var second = Run(Options(dir.Path, a2, b2), log);
        Assert.IsEmpty(a2.Evaluated);
        Assert.IsEmpty(b2.Evaluated);
        Assert.HasCount(4, log.Events.Where(e => e.Benchmark is not null && e.Reused).ToList());
        foreach (var (before, after) in first.Report.Candidates.Zip(second.Report.Candidates))
            foreach (var name in new[] { "a", "b" })
                Assert.AreEqual(before.Candidate.Benchmarks[name], after.Candidate.Benchmarks[name], "the cached results equal the computed ones");
        Assert.AreEqual(first.Report.Candidates[0].VersusSequential!.Overall, second.Report.Candidates[0].VersusSequential!.Overall is { } o ? o with { Metrics = first.Report.Candidates[0].VersusSequential!.Overall!.Metrics } : null);

        // b's setting changes: only b runs again, on both candidates; a rule on b's metric (lower is better) chooses by it.
        var a3 = new WeightSumBenchmark("a", 0);
        var b3 = new WeightSumBenchmark("b", 2);
        var third = Run(Options(dir.Path, a3, b3) with
        {
            Rule = SelectionRule.Best(SelectionMetric.Benchmark("b", "sum", lowerIsBetter: true), SelectionConstraint.AtMost(SelectionMetric.DpoGap, 100)),
        });
        Assert.AreEqual(third.Report.Candidates.MinBy(r => r.Candidate.Benchmarks["b"].Metrics["sum"])!.Candidate.Name, third.Chosen.Name);
        Assert.AreEqual("best b/sum (lower is better) subject to DPO gap ≤ 100", third.Report.Rule);
        Assert.IsEmpty(a3.Evaluated);
        Assert.HasCount(2, b3.Evaluated);
        foreach (var (before, after) in first.Report.Candidates.Zip(third.Report.Candidates))
            Assert.AreEqual(before.Candidate.Benchmarks["b"].Metrics["sum"] + 1, after.Candidate.Benchmarks["b"].Metrics["sum"], 1e-9);
    }

    [TestMethod]
    public void AnUnreadableCachedResultIsRecomputedWithANoteNamingTheFile()
    {
        using var dir = new TempDirectory();
        var first = Run(Options(dir.Path, new WeightSumBenchmark("a", 0)) with { IncludeSequentialBaselines = false });
        var file = Path.Combine(dir.Path, "benchmarks", "alright-l0.5", "a.json");
        var text = File.ReadAllText(file);
        File.WriteAllText(file, text[..(text.Length / 2)]);

        var again = new WeightSumBenchmark("a", 0);
        var log = new Log();
        var second = Run(Options(dir.Path, again) with { IncludeSequentialBaselines = false }, log);

        Assert.HasCount(1, again.Evaluated, "only the cut record is recomputed");
        var restart = log.Events.Single(e => e.Benchmark == "a" && !e.Reused);
        Assert.AreEqual("ALRIGHT λ=0.5", restart.Candidate);
        StringAssert.Contains(restart.Note, file);
        StringAssert.Contains(restart.Note, "unreadable");
        Assert.AreEqual(first.Report.Candidates[0].Candidate.Benchmarks["a"].Metrics["sum"], second.Report.Candidates[0].Candidate.Benchmarks["a"].Metrics["sum"]);
        Assert.AreEqual(text, File.ReadAllText(file), "the record is written whole again");
    }

    [TestMethod]
    public void BenchmarkProblemsFailBeforeAnythingIsTrained()
    {
        using var dir = new TempDirectory();
        var work = Path.Combine(dir.Path, "sweep");
        var sweep = Options(work, new WeightSumBenchmark("a", 0));

        var loader = Assert.ThrowsExactly<ArgumentException>(() => new ParetoSweep(sweep).Run(Inputs(), new SaveOnlyTrainer()));
        StringAssert.Contains(loader.Message, "does not implement ISweepModelLoader");

        var rule = Assert.ThrowsExactly<ArgumentException>(() => Run(sweep with { Rule = SelectionRule.Best(SelectionMetric.Benchmark("mmlu", "acc")) }));
        StringAssert.Contains(rule.Message, "ParetoSweepOptions.Rule 'best mmlu/acc (higher is better)' reads 'mmlu/acc', which the sweep does not evaluate; it evaluates: a/sum, f_DPO, f_SFT.");

        var metrics = Assert.ThrowsExactly<ArgumentException>(() => Run(sweep with { ImprovementMetrics = [SelectionMetric.Benchmark("b", "sum")] }));
        StringAssert.Contains(metrics.Message, "ParetoSweepOptions.ImprovementMetrics names 'b/sum'");

        var twice = Assert.ThrowsExactly<ArgumentException>(() => Run(sweep with { Benchmarks = [new WeightSumBenchmark("a", 0), new WeightSumBenchmark("a", 1)] }));
        StringAssert.Contains(twice.Message, "ParetoSweepOptions.Benchmarks lists the name 'a' more than once");

        Assert.IsFalse(Directory.Exists(work), "nothing was created");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new WeightSumBenchmark("MMLU 5-shot", 0)).Message, "found 'MMLU 5-shot'");
    }
}
