using XRight.Evaluation;
using XRight.Selection;

namespace XRight.Tests.Selection;

/// <summary>∆m% over benchmark metrics against the paired Sequential run, and selection rules that read benchmark metrics.</summary>
[TestClass]
public sealed class BenchmarkSelectionTests
{
    /// <summary>The candidate with benchmark results: (benchmark, metric, value) triples.</summary>
    internal static SelectionCandidate WithBenchmarks(SelectionCandidate c, params (string Benchmark, string Metric, double Value)[] values) => c with
    {
        Benchmarks = values.GroupBy(v => v.Benchmark).ToDictionary(g => g.Key, g => new BenchmarkResult
        {
            Benchmark = g.Key,
            Metrics = g.ToDictionary(v => v.Metric, v => v.Value),
            Counts = new Dictionary<string, long> { ["rows"] = 200 },
            Settings = new Dictionary<string, string> { ["data"] = "test" },
        }),
    };

    private static readonly SelectionMetric Mmlu = SelectionMetric.Benchmark("mmlu", "acc");
    private static readonly SelectionMetric XsTest = SelectionMetric.Benchmark("xstest", "safe_full_compliance_rate");

    // J is paired with S (6 epochs, λ = 0.5 ↔ (3,3)); exact binary-friendly values.
    private static SelectionCandidate[] Pair(double sequentialXsTest = 0.8) =>
    [
        WithBenchmarks(Sweep.Joint("J", 0.5, fDpo: 0.5, fSft: 2.0), ("mmlu", "acc", 0.30), ("xstest", "safe_full_compliance_rate", 0.9)),
        WithBenchmarks(Sweep.Sequential("S", 3, 3, fDpo: 0.4, fSft: 2.5), ("mmlu", "acc", 0.25), ("xstest", "safe_full_compliance_rate", sequentialXsTest)),
    ];

    [TestMethod]
    public void OverallImprovementOverObjectivesAndBenchmarksIsTheSignedMeanRelativeChange()
    {
        // −(0.5−0.4)/0.4 = −0.25, −(2.0−2.5)/2.5 = +0.2, (0.30−0.25)/0.25 = +0.2, (0.9−0.8)/0.8 = +0.125; mean 0.06875.
        var report = ParetoSelection.Analyze(Pair(), new ParetoSelectionOptions
        {
            Rule = SelectionRule.MinIdealDistance,
            ImprovementMetrics = [SelectionMetric.FDpo, SelectionMetric.FSft, Mmlu, XsTest],
        });
        var versus = report.Candidates.Single(r => r.Candidate.Name == "J").VersusSequential!;
        Assert.AreEqual("S", versus.Baseline);
        Assert.AreEqual(6.875, versus.Overall!.Percent!.Value, 1e-12);
        Assert.IsNull(versus.Overall.Undefined);
        CollectionAssert.AreEqual(new[] { "f_DPO ↓", "f_SFT ↓", "mmlu/acc ↑", "xstest/safe_full_compliance_rate ↑" }, versus.Overall.Metrics.ToArray());
        Assert.AreEqual(-2.5, versus.DeltaMPercent, 1e-12, "the objectives-only ∆m%: (−0.25 + 0.2) / 2");
        Assert.IsNull(report.Candidates.Single(r => r.Candidate.Name == "S").VersusSequential);

        // Benchmark metrics alone: (0.2 + 0.125) / 2 = 0.1625.
        var benchmarksOnly = ParetoSelection.Analyze(Pair(), new ParetoSelectionOptions { Rule = SelectionRule.MinIdealDistance, ImprovementMetrics = [Mmlu, XsTest] });
        Assert.AreEqual(16.25, benchmarksOnly.Candidates[0].VersusSequential!.Overall!.Percent!.Value, 1e-12);

        var none = ParetoSelection.Analyze(Pair(), new ParetoSelectionOptions { Rule = SelectionRule.MinIdealDistance });
        Assert.IsNull(none.Candidates[0].VersusSequential!.Overall, "no improvement metrics: only the objectives' ∆m%");
    }

    [TestMethod]
    public void ASequentialRateOfZeroLeavesTheOverallImprovementUndefinedWithTheReason()
    {
        var report = ParetoSelection.Analyze(Pair(sequentialXsTest: 0), new ParetoSelectionOptions
        {
            Rule = SelectionRule.MinIdealDistance,
            ImprovementMetrics = [SelectionMetric.FDpo, XsTest],
        });
        var overall = report.Candidates[0].VersusSequential!.Overall!;
        Assert.IsNull(overall.Percent);
        Assert.AreEqual("'S' has xstest/safe_full_compliance_rate = 0, so the relative change is undefined", overall.Undefined);
    }

    [TestMethod]
    public void AnImprovementMetricThatWasNotEvaluatedFailsNamingItAndTheCandidate()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ParetoSelection.Analyze(Pair(), new ParetoSelectionOptions
        {
            Rule = SelectionRule.MinIdealDistance,
            ImprovementMetrics = [SelectionMetric.Benchmark("hellaswag", "acc_norm")],
        }));
        StringAssert.Contains(e.Message, "'hellaswag/acc_norm', which was not evaluated for candidate 'J'; its metrics are: f_DPO, f_SFT, mmlu/acc, xstest/safe_full_compliance_rate.");
        var derived = Assert.ThrowsExactly<ArgumentException>(() => ParetoSelection.Analyze(Pair(), new ParetoSelectionOptions
        {
            Rule = SelectionRule.MinIdealDistance,
            ImprovementMetrics = [SelectionMetric.DpoGap],
        }));
        StringAssert.Contains(derived.Message, "'DPO gap' is derived");
    }

    // A (0.25, acc 0.30), B (0.50, acc 0.50), C (0.75, acc 0.60), f*_DPO = 0.25: DPO gaps 0, 0.25, 0.5.
    private static SelectionCandidate[] Three() =>
    [
        WithBenchmarks(Sweep.Joint("A", 0.25, 0.25, 2.0), ("mmlu", "acc", 0.30)),
        WithBenchmarks(Sweep.Joint("B", 0.5, 0.50, 1.75), ("mmlu", "acc", 0.50)),
        WithBenchmarks(Sweep.Joint("C", 0.75, 0.75, 1.5), ("mmlu", "acc", 0.60)),
    ];

    private static SelectionReport Select(SelectionRule rule, SelectionCandidate[]? candidates = null) =>
        ParetoSelection.Analyze(candidates ?? Three(), new ParetoSelectionOptions { Rule = rule, DpoOptimum = 0.25, SftOptimum = 1.5 });

    [TestMethod]
    public void BestMmluSubjectToADpoGapBoundChoosesTheMostAccurateCandidateWithinTheBound()
    {
        var rule = SelectionRule.Best(Mmlu, SelectionConstraint.AtMost(SelectionMetric.DpoGap, 0.3));
        var report = Select(rule);
        Assert.AreEqual("B", report.Chosen, "C is more accurate but its DPO gap 0.5 exceeds 0.3");
        Assert.AreEqual("best mmlu/acc (higher is better) subject to DPO gap ≤ 0.3", report.Rule);
        var c = report.Candidates.Single(r => r.Candidate.Name == "C");
        Assert.AreEqual(0.2, c.RuleViolation, 1e-12);
        Assert.AreEqual(-0.5, report.ChosenCandidate.RuleScore, 1e-12, "higher is better: the score minimised is −acc");

        Assert.AreEqual("C", Select(SelectionRule.Best(Mmlu)).Chosen, "unconstrained: the highest accuracy");
        Assert.AreEqual("A", Select(SelectionRule.Best(Mmlu, SelectionConstraint.AtMost(SelectionMetric.DpoGap, 0.1))).Chosen);
        Assert.AreEqual("C", Select(SelectionRule.Best(SelectionMetric.FSft, SelectionConstraint.AtLeast(Mmlu, 0.55))).Chosen);
        Assert.AreEqual("A", Select(SelectionRule.Best(SelectionMetric.Benchmark("mmlu", "acc", lowerIsBetter: true))).Chosen, "a lower-is-better metric is minimised");
    }

    [TestMethod]
    public void ABenchmarkRuleNobodySatisfiesNamesTheClosestCandidate()
    {
        var e = Assert.ThrowsExactly<UnsatisfiedSelectionRuleException>(() => Select(SelectionRule.Best(SelectionMetric.FDpo, SelectionConstraint.AtLeast(Mmlu, 0.7))));
        Assert.AreEqual("C", e.ClosestCandidate);
        Assert.AreEqual(0.1, e.Violation, 1e-12);
        Assert.AreEqual("best f_DPO (lower is better) subject to mmlu/acc ≥ 0.7", e.Rule);
    }

    [TestMethod]
    public void ARuleOnAMetricThatWasNotEvaluatedFailsClearly()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Select(SelectionRule.Best(SelectionMetric.Benchmark("hellaswag", "acc_norm"), SelectionConstraint.AtMost(SelectionMetric.DpoGap, 1))));
        StringAssert.Contains(e.Message, "Selection rule 'best hellaswag/acc_norm (higher is better) subject to DPO gap ≤ 1' reads the metric 'hellaswag/acc_norm', which was not evaluated for candidate 'A'; its metrics are: f_DPO, f_SFT, mmlu/acc.");
    }

    [TestMethod]
    public void BestOverallImprovementPrefersTheJointRunThatBeatsItsSequentialRunAndElseASequentialOne()
    {
        var options = new ParetoSelectionOptions { Rule = SelectionRule.BestOverallImprovement, ImprovementMetrics = [SelectionMetric.FDpo, SelectionMetric.FSft, Mmlu, XsTest] };
        // J: +6.875 % against S (0).
        Assert.AreEqual("J", ParetoSelection.Analyze(Pair(), options).Chosen);
        // With S's MMLU at 0.40: (−0.25 + 0.2 − 0.25 + 0.125) / 4 = −4.375 % < 0, so S (its own baseline, 0) wins.
        var worse = Pair();
        worse[1] = WithBenchmarks(worse[1], ("mmlu", "acc", 0.40), ("xstest", "safe_full_compliance_rate", 0.8));
        var report = ParetoSelection.Analyze(worse, options);
        Assert.AreEqual(-4.375, report.Candidates[0].VersusSequential!.Overall!.Percent!.Value, 1e-12);
        Assert.AreEqual("S", report.Chosen);
        Assert.AreEqual(-0.0, report.ChosenCandidate.RuleScore);
        Assert.AreEqual(4.375, report.Candidates[0].RuleScore, 1e-12, "the score minimised is −∆m%");
        // Without improvement metrics the rule reads the objectives' ∆m%: J's is −2.5 %, so S is chosen.
        Assert.AreEqual("S", ParetoSelection.Analyze(Pair(), new ParetoSelectionOptions { Rule = SelectionRule.BestOverallImprovement }).Chosen);
    }

    [TestMethod]
    public void AJointRunWithoutAPairedSequentialRunCannotWinOnOverallImprovement()
    {
        var candidates = new[] { Sweep.Joint("lonely", 0.5, 0.1, 0.1, epochs: 4), Sweep.Sequential("S", 3, 3, 0.4, 2.5) };
        var report = ParetoSelection.Analyze(candidates, new ParetoSelectionOptions { Rule = SelectionRule.BestOverallImprovement });
        Assert.AreEqual("S", report.Chosen);
        Assert.AreEqual(1, report.Candidates[0].RuleViolation, "no ∆m% to rank it by");
    }
}
