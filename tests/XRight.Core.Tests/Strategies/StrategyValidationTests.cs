using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Tests.Strategies;

[TestClass]
public sealed class StrategyValidationTests
{
    private static readonly ObjectivePair Zero = new(0, 0);

    [TestMethod]
    [DataRow(-0.1, "-0.1")]
    [DataRow(1.5, "1.5")]
    [DataRow(double.NaN, "NaN")]
    public void LambdaOutsideUnitIntervalIsRejectedByEveryStrategy(double lambda, string shown)
    {
        Action[] constructors =
        [
            () => _ = new MixStrategy(lambda, 10),
            () => _ = new AlrightStrategy(lambda, 10, 1),
            () => _ = new MaxRightStrategy(lambda, 10, Zero),
            () => _ = new MemoryEfficientMaxRightStrategy(lambda, 10, Zero),
        ];
        foreach (var construct in constructors)
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(construct);
            Assert.AreEqual("lambda", e.ParamName);
            StringAssert.Contains(e.Message, $"'lambda' must be in [0, 1]; found {shown}");
        }
    }

    [TestMethod]
    public void EvaluationIntervalBelowOneIsRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MemoryEfficientMaxRightStrategy(0.5, 10, Zero, evaluationInterval: 0));
        Assert.AreEqual("evaluationInterval", e.ParamName);
        StringAssert.Contains(e.Message, "must be at least 1; found 0");
    }

    [TestMethod]
    public void NonFiniteOptimumIsRejected()
    {
        var dpo = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MaxRightStrategy(0.5, 10, new ObjectivePair(double.NaN, 0)));
        Assert.AreEqual("optimum", dpo.ParamName);
        StringAssert.Contains(dpo.Message, "'optimum.Dpo' (f*_DPO) must be finite; found NaN");
        var sft = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MemoryEfficientMaxRightStrategy(0.5, 10, new ObjectivePair(0, double.PositiveInfinity)));
        StringAssert.Contains(sft.Message, "'optimum.Sft' (f*_SFT) must be finite; found Infinity");
    }

    [TestMethod]
    public void TotalStepsBelowOneIsRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AlrightStrategy(0.5, 0, 1));
        Assert.AreEqual("totalSteps", e.ParamName);
    }

    [TestMethod]
    public void NonFiniteLossesAreRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new AlrightStrategy(0.5, 10, 1).Observe(ObjectiveKind.Sft, double.NaN));
        StringAssert.Contains(e.Message, "non-finite Sft batch loss: NaN");
    }
}
