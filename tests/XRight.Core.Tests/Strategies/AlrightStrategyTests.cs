using XRight.Training.Strategies;

namespace XRight.Tests.Strategies;

[TestClass]
public sealed class AlrightStrategyTests
{
    [TestMethod]
    [DataRow(0.1)]
    [DataRow(0.25)]
    [DataRow(0.5)]
    [DataRow(0.75)]
    [DataRow(0.99)]
    public void DpoFractionIsWithinThreeSigmaOfLambda(double lambda)
    {
        const int draws = 10_000;
        var strategy = new AlrightStrategy(lambda, draws, seed: 2024);
        int dpo = 0;
        for (int step = 0; step < draws; step++)
        {
            Assert.AreEqual(EvaluationNeed.None, strategy.Need(step));
            if (strategy.Decide(step, null) == StepDecision.Dpo) dpo++;
        }
        double sigma = Math.Sqrt(lambda * (1 - lambda) / draws);
        Assert.AreEqual(lambda, (double)dpo / draws, 3 * sigma);
    }

    [TestMethod]
    public void ExtremeLambdasAreDeterministic()
    {
        Assert.IsTrue(StrategyDriver.Drive(new AlrightStrategy(0, 500, 1), 0, 500).All(d => d == StepDecision.Sft));
        Assert.IsTrue(StrategyDriver.Drive(new AlrightStrategy(1, 500, 1), 0, 500).All(d => d == StepDecision.Dpo));
    }

    [TestMethod]
    public void SameSeedGivesSameDraws()
    {
        var a = StrategyDriver.Drive(new AlrightStrategy(0.5, 1000, 42), 0, 1000);
        var b = StrategyDriver.Drive(new AlrightStrategy(0.5, 1000, 42), 0, 1000);
        var c = StrategyDriver.Drive(new AlrightStrategy(0.5, 1000, 43), 0, 1000);
        CollectionAssert.AreEqual(a, b);
        CollectionAssert.AreNotEqual(a, c);
    }
}
