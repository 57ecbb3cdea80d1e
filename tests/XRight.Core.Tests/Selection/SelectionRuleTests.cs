using XRight.Selection;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class SelectionRuleTests
{
    // Estimated ideal point of Sweep.EightPoints: (0.25, 1.50).
    private static readonly IdealPoint Ideal = new(0.25, 1.50, IdealValueSource.CandidateMinimum, IdealValueSource.CandidateMinimum);

    private static string Choose(SelectionRule rule) => rule.Choose(Sweep.EightPoints(), Ideal).Name;

    [TestMethod]
    public void MinIdealDistanceBreaksTheDuplicateTieByName()
    {
        // Gaps from (0.25, 1.5): A (0, 0.5) → 0.5; B = D (0.25, 0.25) → 0.353553; C (0.5, 0) → 0.5;
        // E (0.375, 0.375) → 0.530330; F (0.5, 0.125) → 0.515388; G (0.75, 0) → 0.75; H (0.125, 0.625) → 0.637377.
        // B and D tie exactly; "B" < "D".
        Assert.AreEqual("B", Choose(SelectionRule.MinIdealDistance));
        Assert.AreEqual(Math.Sqrt(0.125), SelectionRule.MinIdealDistance.Score(Sweep.EightPoints()[1], Ideal), 1e-15);
    }

    [TestMethod]
    public void MinMixGapFollowsTheTargetLambda()
    {
        // G = λ·gap_DPO + (1−λ)·gap_SFT. λ = 0.25: A 0.375, B 0.25, C 0.125, F 0.21875, G 0.1875 → C.
        // λ = 0.75: A 0.125, B 0.25, C 0.375, H 0.25 → A.
        Assert.AreEqual("C", Choose(SelectionRule.MinMixGap(0.25)));
        Assert.AreEqual("A", Choose(SelectionRule.MinMixGap(0.75)));
        Assert.AreEqual(0.125, SelectionRule.MinMixGap(0.25).Score(Sweep.EightPoints()[2], Ideal), 1e-15);
    }

    [TestMethod]
    public void MinMixGapTieOnACollinearFrontGoesToTheSmallerIdealDistance()
    {
        // λ = 0.5: A, B, C, D all have G = 0.25 exactly (they lie on a line of slope −1); B and D are nearest
        // to the ideal point (0.353553 < 0.5), and "B" < "D".
        Assert.AreEqual("B", Choose(SelectionRule.MinMixGap(0.5)));
    }

    [TestMethod]
    public void BestSftWithDpoBoundIncludesTheBound()
    {
        // f_DPO ≤ 0.5 admits A (2.0), B (1.75, f_DPO exactly 0.5), D (1.75), H (2.125): B and D tie at 1.75 and
        // at the ideal distance, so "B".
        Assert.AreEqual("B", Choose(SelectionRule.BestSftWithDpoAtMost(0.5)));
    }

    [TestMethod]
    public void BestDpoWithSftBoundBreaksTiesByIdealDistance()
    {
        // f_SFT ≤ 1.625 admits C (0.75), F (0.75, f_SFT exactly 1.625), G (1.0): C and F tie at 0.75;
        // C is nearer the ideal point (0.5 < 0.515388).
        Assert.AreEqual("C", Choose(SelectionRule.BestDpoWithSftAtMost(1.625)));
    }

    [TestMethod]
    public void UnsatisfiableConstraintNamesTheRuleAndTheClosestCandidate()
    {
        // f_DPO ≤ 0.125: the smallest f_DPO is A's 0.25, which misses by 0.125.
        var e = Assert.ThrowsExactly<UnsatisfiedSelectionRuleException>(() => Choose(SelectionRule.BestSftWithDpoAtMost(0.125)));
        Assert.AreEqual("best f_SFT subject to f_DPO ≤ 0.125", e.Rule);
        Assert.AreEqual("A", e.ClosestCandidate);
        Assert.AreEqual(0.125, e.Violation, 1e-15);
        StringAssert.Contains(e.Message, "best f_SFT subject to f_DPO ≤ 0.125");
        StringAssert.Contains(e.Message, "'A'");
        StringAssert.Contains(e.Message, "misses the constraint by 0.125");
    }

    [TestMethod]
    public void UnsatisfiableConstraintTieForClosestGoesToTheName()
    {
        // f_SFT ≤ 1.25: C and G both have f_SFT = 1.5 and miss by 0.25; "C" < "G".
        var e = Assert.ThrowsExactly<UnsatisfiedSelectionRuleException>(() => Choose(SelectionRule.BestDpoWithSftAtMost(1.25)));
        Assert.AreEqual("C", e.ClosestCandidate);
        Assert.AreEqual(0.25, e.Violation, 1e-15);
    }

    [TestMethod]
    public void ChoiceDoesNotDependOnCandidateOrder()
    {
        var reversed = Sweep.EightPoints().Reverse().ToArray();
        foreach (var rule in new[] { SelectionRule.MinIdealDistance, SelectionRule.MinMixGap(0.5), SelectionRule.BestSftWithDpoAtMost(0.5), SelectionRule.BestDpoWithSftAtMost(1.625) })
            Assert.AreEqual(Choose(rule), rule.Choose(reversed, Ideal).Name, rule.Description);
    }

    [TestMethod]
    public void InvalidRuleParametersAreRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SelectionRule.MinMixGap(1.01));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SelectionRule.MinMixGap(double.NaN));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SelectionRule.BestSftWithDpoAtMost(double.PositiveInfinity));
        StringAssert.Contains(e.Message, "f_DPO");
    }

    [TestMethod]
    public void DescriptionsNameTheirParameters()
    {
        Assert.AreEqual("minimum ideal distance", SelectionRule.MinIdealDistance.Description);
        Assert.AreEqual("minimum G_Mix,λ at λ = 0.25", SelectionRule.MinMixGap(0.25).Description);
        Assert.AreEqual("best f_DPO subject to f_SFT ≤ 1.625", SelectionRule.BestDpoWithSftAtMost(1.625).Description);
    }

    private sealed class SumRule(double nanFor = double.NegativeInfinity) : SelectionRule
    {
        public override string Description => "minimum f_DPO + f_SFT";

        public override double Score(SelectionCandidate candidate, IdealPoint ideal) =>
            candidate.FDpo == nanFor ? double.NaN : candidate.FDpo + candidate.FSft;
    }

    [TestMethod]
    public void UserRulesPlugIn()
    {
        // Sums: A 2.25, B = D 2.25, C 2.25, E 2.5, F 2.375, G 2.5, H 2.5. A..D tie; B and D are nearest the ideal point.
        Assert.AreEqual("B", Choose(new SumRule()));
    }

    [TestMethod]
    public void NonFiniteScoreOfAUserRuleIsAnError()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Choose(new SumRule(nanFor: 0.625)));
        StringAssert.Contains(e.Message, "'minimum f_DPO + f_SFT'");
        StringAssert.Contains(e.Message, "'E'");
    }
}
