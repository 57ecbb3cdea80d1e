using XRight.Objectives;

namespace XRight.Tests.Objectives;

[TestClass]
public sealed class DpoLossOptionsTests
{
    [TestMethod]
    public void DefaultsAreThePapers()
    {
        var options = new DpoLossOptions();
        Assert.AreEqual(0.1, options.Beta);
        Assert.AreEqual(DpoLossType.Sigmoid, options.LossType);
        Assert.AreEqual(0.0, options.LabelSmoothing);
        options.Validate();
    }

    [TestMethod]
    [DataRow(0.0, "0")]
    [DataRow(-1.0, "-1")]
    [DataRow(double.NaN, "NaN")]
    [DataRow(double.PositiveInfinity, "Infinity")]
    public void RejectsBetaThatIsNotPositiveAndFinite(double beta, string shown)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DpoLossOptions { Beta = beta }.Validate());
        Assert.AreEqual("Beta", e.ParamName);
        StringAssert.Contains(e.Message, $"must be a finite number > 0; found {shown}");
    }

    [TestMethod]
    [DataRow(0.5)]
    [DataRow(-0.1)]
    [DataRow(double.NaN)]
    public void RejectsLabelSmoothingOutsideItsRange(double smoothing)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DpoLossOptions { LabelSmoothing = smoothing }.Validate());
        Assert.AreEqual("LabelSmoothing", e.ParamName);
        StringAssert.Contains(e.Message, "must be in [0, 0.5)");
    }

    [TestMethod]
    public void RejectsLabelSmoothingWithIpo()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new DpoLossOptions { LossType = DpoLossType.Ipo, LabelSmoothing = 0.1 }.Validate());
        StringAssert.Contains(e.Message, "applies to the Sigmoid loss only; found 0.1 with Ipo");
    }
}
