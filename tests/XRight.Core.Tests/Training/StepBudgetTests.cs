using XRight.Training;

namespace XRight.Tests.Training;

[TestClass]
public sealed class StepBudgetTests
{
    [TestMethod]
    public void PartialBatchesAndPartialAccumulationsEachCountAsOne()
    {
        // 25 rows / 4 → 7 batches → 4 steps of 2 micro-batches; 9 pairs / 2 → 5 batches → 3 steps.
        var budget = StepBudget.Of(new BatchOptions { SftBatchSize = 4, DpoBatchSize = 2, GradientAccumulationSteps = 2 }, 25, 9);
        Assert.AreEqual(new StepBudget(4, 3), budget);
        Assert.AreEqual((12, 6), (budget.Sft(3), budget.Dpo(2)));
    }

    [TestMethod]
    public void JointStrategiesCountSftEpochsSequentialCountsBothAndMaxStepsCuts()
    {
        var budget = new StepBudget(SftStepsPerEpoch: 5, DpoStepsPerEpoch: 3);
        Assert.AreEqual(15, budget.Total(new StrategyOptions { Kind = JointStrategy.MaxRight, Epochs = 3 }));
        Assert.AreEqual(2 * 3 + 1 * 5, budget.Total(new StrategyOptions { Kind = JointStrategy.Sequential, SequentialDpoEpochs = 2, SequentialSftEpochs = 1 }));
        Assert.AreEqual(7, budget.Total(new StrategyOptions { Kind = JointStrategy.Mix, Epochs = 3, MaxSteps = 7 }));
        Assert.AreEqual(15, budget.Total(new StrategyOptions { Kind = JointStrategy.Mix, Epochs = 3, MaxSteps = 70 }));
    }
}
