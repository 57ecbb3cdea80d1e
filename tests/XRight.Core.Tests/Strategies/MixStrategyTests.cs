using XRight.Training.Strategies;

namespace XRight.Tests.Strategies;

[TestClass]
public sealed class MixStrategyTests
{
    [TestMethod]
    public void WeightsBothObjectivesEveryStep()
    {
        var strategy = new MixStrategy(0.25, 4);
        Assert.AreEqual("Mix(λ=0.25)", strategy.Name);
        foreach (var decision in StrategyDriver.Drive(strategy, 0, 10))
        {
            Assert.AreEqual(0.25, decision.DpoWeight);
            Assert.AreEqual(0.75, decision.SftWeight);
            Assert.IsNull(decision.Single);
        }
        Assert.AreEqual(EvaluationNeed.BothWithGraph, strategy.Need(3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => strategy.Need(4));
    }
}
