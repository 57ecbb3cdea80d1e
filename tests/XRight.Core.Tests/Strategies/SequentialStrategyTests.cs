using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Tests.Strategies;

[TestClass]
public sealed class SequentialStrategyTests
{
    [TestMethod]
    public void RunsPhasesInOrderForTheirLengths()
    {
        var dpoFirst = new SequentialStrategy([new(ObjectiveKind.Dpo, 3), new(ObjectiveKind.Sft, 2)]);
        Assert.AreEqual(5, dpoFirst.TotalSteps);
        Assert.AreEqual("Sequential(DPO ×3 → SFT ×2)", dpoFirst.Name);
        var decisions = StrategyDriver.Drive(dpoFirst, 0, 100);
        CollectionAssert.AreEqual(new[] { StepDecision.Dpo, StepDecision.Dpo, StepDecision.Dpo, StepDecision.Sft, StepDecision.Sft }, decisions);
        Assert.IsTrue(((IJointStrategy)dpoFirst).IsComplete(5));
        Assert.ThrowsExactly<InvalidOperationException>(() => dpoFirst.Decide(5, null));

        var sftFirst = StrategyDriver.Drive(new SequentialStrategy([new(ObjectiveKind.Sft, 1), new(ObjectiveKind.Dpo, 2)]), 0, 100);
        CollectionAssert.AreEqual(new[] { StepDecision.Sft, StepDecision.Dpo, StepDecision.Dpo }, sftFirst);
    }

    [TestMethod]
    public void PhaseEndsAfterTheStepWhoseLossFallsBelowItsThreshold()
    {
        var strategy = new SequentialStrategy([new(ObjectiveKind.Dpo, 10, StopBelow: 0.1), new(ObjectiveKind.Sft, 10, StopBelow: 0.1)]);
        IJointStrategy s = strategy;
        Step(s, 0, ObjectiveKind.Dpo, 0.5);
        Step(s, 1, ObjectiveKind.Dpo, 0.1);    // equal to the threshold: not below
        Step(s, 2, ObjectiveKind.Dpo, 0.05);   // below: step 2 was the phase's last
        Assert.AreEqual(1, strategy.PhaseAt(3));
        Step(s, 3, ObjectiveKind.Sft, 0.3);
        Step(s, 4, ObjectiveKind.Sft, 0.09);
        Assert.IsTrue(s.IsComplete(5), "the last phase stopped early, so the run ends before its 20 steps");
        Assert.AreEqual(20, s.TotalSteps);
    }

    [TestMethod]
    public void OnlyTheCurrentPhaseObjectiveStopsIt()
    {
        var strategy = new SequentialStrategy([new(ObjectiveKind.Dpo, 3, StopBelow: 0.1), new(ObjectiveKind.Sft, 3)]);
        Assert.AreEqual(StepDecision.Dpo, strategy.Decide(0, null));
        strategy.Observe(ObjectiveKind.Sft, 0.01);   // e.g. a Mix-style loop reporting both
        Assert.AreEqual(StepDecision.Dpo, strategy.Decide(1, null));
    }

    [TestMethod]
    public void StepsAreDecidedInOrderOnce()
    {
        var strategy = new SequentialStrategy([new(ObjectiveKind.Dpo, 3)]);
        strategy.Decide(0, null);
        strategy.Decide(1, null);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => strategy.Decide(1, null));
        Assert.ThrowsExactly<InvalidOperationException>(() => new SequentialStrategy([new(ObjectiveKind.Dpo, 3)]).Observe(ObjectiveKind.Dpo, 1));
    }

    [TestMethod]
    public void RejectsInvalidPhases()
    {
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SequentialStrategy([])).Message, "at least one phase");
        var zero = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequentialStrategy([new(ObjectiveKind.Sft, 0)]));
        StringAssert.Contains(zero.Message, "phase 0 (Sft) must have at least 1 step; found 0");
        var nan = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequentialStrategy([new(ObjectiveKind.Sft, 1), new(ObjectiveKind.Dpo, 1, double.NaN)]));
        StringAssert.Contains(nan.Message, "phase 1 (Dpo) stop threshold must be finite; found NaN");
    }

    private static void Step(IJointStrategy strategy, int step, ObjectiveKind expected, double loss)
    {
        Assert.IsFalse(strategy.IsComplete(step));
        Assert.AreEqual(EvaluationNeed.None, strategy.Need(step));
        Assert.AreEqual(expected, strategy.Decide(step, null).Single, $"step {step}");
        strategy.Observe(expected, loss);
    }
}
