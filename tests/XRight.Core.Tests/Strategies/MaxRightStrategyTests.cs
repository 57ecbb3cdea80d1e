using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Tests.Strategies;

[TestClass]
public sealed class MaxRightStrategyTests
{
    [TestMethod]
    public void PicksTheLargerWeightedGapAndSftOnTies()
    {
        // λ = 0.25, f* = (0.5, 1.0); all numbers are exact binary fractions so the tie is exact.
        var strategy = new MaxRightStrategy(0.25, 10, new ObjectivePair(0.5, 1.0));
        Assert.AreEqual(EvaluationNeed.BothWithGraph, strategy.Need(0));
        // 0.25·(1.5 − 0.5) = 0.25  >  0.75·(1.25 − 1.0) = 0.1875  → DPO
        Assert.AreEqual(StepDecision.Dpo, strategy.Decide(0, new ObjectivePair(1.5, 1.25)));
        // 0.25·(1.25 − 0.5) = 0.1875 = 0.75·(1.25 − 1.0)           → tie → SFT
        Assert.AreEqual(StepDecision.Sft, strategy.Decide(1, new ObjectivePair(1.25, 1.25)));
        // 0.25·(0.75 − 0.5) = 0.0625 <  0.75·(1.5 − 1.0) = 0.375    → SFT
        Assert.AreEqual(StepDecision.Sft, strategy.Decide(2, new ObjectivePair(0.75, 1.5)));
        // The unweighted gaps would pick DPO here (1.0 > 0.5): λ = 0.25 makes it SFT.
        Assert.AreEqual(StepDecision.Sft, strategy.Decide(3, new ObjectivePair(1.5, 1.5)));
    }

    [TestMethod]
    public void NeedsValuesToDecide()
    {
        var strategy = new MaxRightStrategy(0.5, 10, new ObjectivePair(0, 0));
        var e = Assert.ThrowsExactly<ArgumentNullException>(() => strategy.Decide(0, null));
        StringAssert.Contains(e.Message, "needs both objective values to decide step 0");
        Assert.ThrowsExactly<ArgumentException>(() => strategy.Decide(0, new ObjectivePair(double.NaN, 1)));
    }

    [TestMethod]
    public void MemoryEfficientEvaluatesEveryKStepsAndRefreshesOnlyTheChosenValue()
    {
        var strategy = new MemoryEfficientMaxRightStrategy(0.5, 10, new ObjectivePair(0, 0), evaluationInterval: 3);
        Assert.AreEqual(EvaluationNeed.BothWithoutGraph, strategy.Need(0));
        Assert.AreEqual(StepDecision.Dpo, strategy.Decide(0, new ObjectivePair(0.9, 0.5)));   // 0.45 > 0.25
        strategy.Observe(ObjectiveKind.Dpo, 0.9);

        Assert.AreEqual(EvaluationNeed.None, strategy.Need(1));
        Assert.AreEqual(StepDecision.Dpo, strategy.Decide(1, null));                           // stored (0.9, 0.5)
        strategy.Observe(ObjectiveKind.Dpo, 0.4);                                      // stored (0.4, 0.5)

        Assert.AreEqual(EvaluationNeed.None, strategy.Need(2));
        Assert.AreEqual(StepDecision.Sft, strategy.Decide(2, null));                           // 0.2 < 0.25
        strategy.Observe(ObjectiveKind.Sft, 0.45);                                     // stored (0.4, 0.45)

        Assert.AreEqual(EvaluationNeed.BothWithoutGraph, strategy.Need(3));
        Assert.AreEqual(StepDecision.Dpo, strategy.Decide(3, new ObjectivePair(0.3, 0.2)));  // fresh values win

        var state = strategy.SaveState();
        CollectionAssert.AreEqual(new[] { 1, 0.3, 0.2 }, state.Values);
    }

    [TestMethod]
    public void MemoryEfficientAsksForValuesWhenItHasNone()
    {
        var strategy = new MemoryEfficientMaxRightStrategy(0.5, 100, new ObjectivePair(0, 0), evaluationInterval: 10);
        Assert.AreEqual(EvaluationNeed.BothWithoutGraph, strategy.Need(7));   // e.g. resumed mid-interval without stored values
        Assert.ThrowsExactly<ArgumentNullException>(() => strategy.Decide(7, null));
        var fresh = new MemoryEfficientMaxRightStrategy(0.5, 100, new ObjectivePair(0, 0));
        Assert.ThrowsExactly<InvalidOperationException>(() => fresh.Observe(ObjectiveKind.Dpo, 0.5));
    }

    [TestMethod]
    public void MemoryEfficientWithIntervalOneDecidesLikeFull()
    {
        var full = new MaxRightStrategy(0.4, 200, new ObjectivePair(0.1, 0.2));
        var efficient = new MemoryEfficientMaxRightStrategy(0.4, 200, new ObjectivePair(0.1, 0.2), evaluationInterval: 1);
        var a = StrategyDriver.Drive(full, 0, 200);
        var b = StrategyDriver.Drive(efficient, 0, 200);
        CollectionAssert.AreEqual(a, b);
        Assert.IsTrue(a.Contains(StepDecision.Dpo) && a.Contains(StepDecision.Sft), "the synthetic losses exercise both choices");
    }

    [TestMethod]
    public void StaleValuesChangeDecisionsWhenIntervalIsLarger()
    {
        var full = StrategyDriver.Drive(new MaxRightStrategy(0.5, 200, new ObjectivePair(0, 0)), 0, 200);
        var stale = StrategyDriver.Drive(new MemoryEfficientMaxRightStrategy(0.5, 200, new ObjectivePair(0, 0), evaluationInterval: 10), 0, 200);
        Assert.AreEqual(full[0], stale[0]);   // step 0 evaluates in both
        CollectionAssert.AreNotEqual(full, stale);
    }
}
