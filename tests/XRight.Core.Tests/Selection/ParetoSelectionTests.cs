using XRight.Selection;
using XRight.Training;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class ParetoSelectionTests
{
    private static SelectionReport Analyze(IReadOnlyList<SelectionCandidate> sweep, SelectionRule? rule = null, double? dpoOptimum = null, double? sftOptimum = null) =>
        ParetoSelection.Analyze(sweep, new ParetoSelectionOptions { Rule = rule ?? SelectionRule.MinIdealDistance, DpoOptimum = dpoOptimum, SftOptimum = sftOptimum });

    private static CandidateAssessment Row(SelectionReport report, string name) => report.Candidates.Single(r => r.Candidate.Name == name);

    [TestMethod]
    public void EstimatedIdealPointIsThePerObjectiveMinimum()
    {
        var report = Analyze(Sweep.EightPoints());
        Assert.AreEqual(new IdealPoint(0.25, 1.50, IdealValueSource.CandidateMinimum, IdealValueSource.CandidateMinimum), report.Ideal);
        Assert.AreEqual("B", report.Chosen);
        CollectionAssert.AreEqual(new[] { "A", "B", "C", "D" }, report.Front.Select(r => r.Candidate.Name).ToArray());

        // H = (0.375, 2.125): gaps (0.125, 0.625), distance √0.40625, G at its own λ = 0.5: 0.375; not on the front.
        var h = Row(report, "H");
        Assert.AreEqual(0.125, h.DpoGap, 1e-15);
        Assert.AreEqual(0.625, h.SftGap, 1e-15);
        Assert.AreEqual(Math.Sqrt(0.40625), h.IdealDistance, 1e-15);
        Assert.AreEqual(0.375, h.MixGap!.Value, 1e-15);
        Assert.IsFalse(h.OnFront);
        Assert.AreEqual(h.IdealDistance, h.RuleScore);
        Assert.IsTrue(h.SatisfiesRule);
    }

    [TestMethod]
    public void GivenOptimaAreUsedPerObjective()
    {
        // f*_DPO given as 0.0522; f*_SFT estimated as min f_SFT = 1.5. B = (0.5, 1.75): gaps (0.4478, 0.25).
        var report = Analyze(Sweep.EightPoints(), dpoOptimum: 0.0522);
        Assert.AreEqual(new IdealPoint(0.0522, 1.5, IdealValueSource.Given, IdealValueSource.CandidateMinimum), report.Ideal);
        var b = Row(report, "B");
        Assert.AreEqual(0.4478, b.DpoGap, 1e-12);
        Assert.AreEqual(Math.Sqrt(0.4478 * 0.4478 + 0.0625), b.IdealDistance, 1e-12);
    }

    [TestMethod]
    public void JointRunsAreComparedWithTheirMatchingSequentialRun()
    {
        // Mix λ = 0.99 pairs with (5, 1); runtime 150 vs 100 s → +50 % (efficiency 2/3), memory 1.2 vs 1.0 GB
        // → +20 % (efficiency 5/6), utilization 60 vs 50 % → +20 %. Objectives (0.3, 1.6) vs (0.4, 2.0):
        // ∆m% = ½·(−(0.3−0.4)/0.4 − (1.6−2.0)/2.0)·100 = ½·(25 + 20) = 22.5.
        SelectionCandidate[] sweep =
        [
            Sweep.Sequential("Seq(5,1)", 5, 1, 0.4, 2.0, runtime: 100, memory: 1_000_000_000, utilization: 50),
            Sweep.Sequential("Seq(1,5)", 1, 5, 0.9, 1.55, runtime: 90, memory: 900_000_000, utilization: 45),
            Sweep.Joint("Mix 0.99", 0.99, 0.3, 1.6, strategy: "Mix", runtime: 150, memory: 1_200_000_000, utilization: 60),
            Sweep.Joint("ALRIGHT 0.99", 0.99, 0.35, 1.7, runtime: 95, memory: 1_000_000_000),
        ];
        var report = Analyze(sweep);

        var mix = Row(report, "Mix 0.99").VersusSequential!;
        Assert.AreEqual("Seq(5,1)", mix.Baseline);
        Assert.AreEqual(50.0, mix.RuntimeIncreasePercent, 1e-12);
        Assert.AreEqual(2.0 / 3.0, mix.RuntimeEfficiency, 1e-12);
        Assert.AreEqual(20.0, mix.PeakMemoryIncreasePercent, 1e-12);
        Assert.AreEqual(5.0 / 6.0, mix.PeakMemoryEfficiency, 1e-12);
        Assert.AreEqual(20.0, mix.UtilizationIncreasePercent!.Value, 1e-12);
        Assert.AreEqual(22.5, mix.DeltaMPercent, 1e-12);

        // ALRIGHT ran 5 % faster than its Sequential run, and without a utilization figure there is none to compare.
        var alright = Row(report, "ALRIGHT 0.99").VersusSequential!;
        Assert.AreEqual(-5.0, alright.RuntimeIncreasePercent, 1e-12);
        Assert.IsNull(alright.UtilizationIncreasePercent);
        Assert.IsNull(alright.UtilizationEfficiency);

        Assert.IsNull(Row(report, "Seq(5,1)").VersusSequential, "Sequential runs are the baselines");
        Assert.IsNull(Row(report, "Seq(5,1)").MixGap, "a Sequential run has no λ");
    }

    [TestMethod]
    public void ExplicitPairingReplacesTheDefault()
    {
        SelectionCandidate[] sweep =
        [
            Sweep.Sequential("Seq(5,1)", 5, 1, 0.4, 2.0, runtime: 100),
            Sweep.Sequential("Seq(1,5)", 1, 5, 0.9, 1.55, runtime: 200),
            Sweep.Joint("Mix 0.99", 0.99, 0.3, 1.6, strategy: "Mix", runtime: 150),
        ];
        var report = ParetoSelection.Analyze(sweep, new ParetoSelectionOptions
        {
            Rule = SelectionRule.MinIdealDistance,
            SequentialMatcher = SequentialMatcher.ByName(new Dictionary<string, string> { ["Mix 0.99"] = "Seq(1,5)" }),
        });
        Assert.AreEqual(-25.0, Row(report, "Mix 0.99").VersusSequential!.RuntimeIncreasePercent, 1e-12);
        StringAssert.StartsWith(report.SequentialMatching, "explicit pairs");
    }

    [TestMethod]
    public void ConstraintViolationsAreReportedPerCandidate()
    {
        var report = Analyze(Sweep.EightPoints(), SelectionRule.BestSftWithDpoAtMost(0.5));
        Assert.AreEqual("B", report.Chosen);
        Assert.AreEqual(0.25, Row(report, "C").RuleViolation, 1e-15);
        Assert.IsFalse(Row(report, "C").SatisfiesRule);
        Assert.AreEqual(1.75, Row(report, "B").RuleScore, 1e-15);
    }

    [TestMethod]
    public void UnsatisfiableRuleFailsTheAnalysis()
    {
        var e = Assert.ThrowsExactly<UnsatisfiedSelectionRuleException>(() => Analyze(Sweep.EightPoints(), SelectionRule.BestDpoWithSftAtMost(1.0)));
        Assert.AreEqual("C", e.ClosestCandidate);
    }

    [TestMethod]
    public void InvalidCandidatesAreRejectedNamingCandidateAndProperty()
    {
        var good = Sweep.Joint("AL", 0.5, 0.5, 2.0);
        var seq = Sweep.Sequential("S", 3, 3, 0.5, 2.0);
        (SelectionCandidate Candidate, string Fragment)[] cases =
        [
            (good with { Lambda = 1.5 }, "Lambda must lie in [0, 1]; found 1.5"),
            (good with { Sequential = new SequentialSchedule(3, 3) }, "found both"),
            (good with { Lambda = null }, "found neither"),
            (seq with { Epochs = 5 }, "Epochs (5) must equal T_DPO + T_SFT"),
            (seq with { Sequential = new SequentialSchedule(-1, 7) }, "non-negative"),
            (good.With(fDpo: double.NaN), "FDpo must be finite; found NaN"),
            (good.With(fSft: double.PositiveInfinity), "FSft must be finite"),
            (good.With(runtime: 0), "RuntimeSeconds must be a positive finite number; found 0"),
            (good.With(memory: 0), "PeakMemoryBytes must be positive"),
            (good with { GpuUtilizationPercent = 0 }, "GpuUtilizationPercent must lie in (0, 100]"),
            (good with { Epochs = 0 }, "Epochs must be positive"),
            (good with { Strategy = " " }, "Strategy must not be empty"),
            (good with { Run = null! }, "Run must not be null"),
            (good.With(trajectory: [new TrajectoryPoint(100, 0.6, 2.1, ObjectiveKind.Dpo, 1, 1), new TrajectoryPoint(1, 0.7, 2.2, ObjectiveKind.Sft, 2, 1)]), "steps must not decrease"),
            (good.With(trajectory: [new TrajectoryPoint(1, double.NaN, 2.1, ObjectiveKind.Dpo, 1, 1)]), "non-finite objective"),
        ];
        foreach (var (candidate, fragment) in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => Analyze([candidate]), fragment);
            StringAssert.Contains(e.Message, $"Candidate '{candidate.Name}'", fragment);
            StringAssert.Contains(e.Message, fragment);
        }
    }

    [TestMethod]
    public void DuplicateNamesAndEmptySweepsAreRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Analyze([Sweep.Joint("AL", 0.5, 0.5, 2.0), Sweep.Joint("AL", 0.25, 0.6, 1.9)]));
        StringAssert.Contains(e.Message, "'AL' appears more than once");
        Assert.ThrowsExactly<ArgumentException>(() => Analyze([]));
    }

    [TestMethod]
    public void NonFiniteGivenOptimumIsRejectedNamingTheOption()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Analyze(Sweep.EightPoints(), sftOptimum: double.NaN));
        StringAssert.Contains(e.Message, "SftOptimum");
    }

    [TestMethod]
    public void ZeroObjectiveInTheSequentialBaselineMakesDeltaMUndefined()
    {
        SelectionCandidate[] sweep = [Sweep.Sequential("S", 3, 3, 0.0, 2.0), Sweep.Joint("AL", 0.5, 0.5, 2.0)];
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Analyze(sweep));
        StringAssert.Contains(e.Message, "'AL'");
        StringAssert.Contains(e.Message, "'S'");
        StringAssert.Contains(e.Message, "f_DPO");
    }
}
