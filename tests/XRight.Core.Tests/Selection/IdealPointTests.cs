using XRight.Selection;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class IdealPointTests
{
    // The paper's pythia-1b optima (SFT reference): f*_DPO = 0.0522, f*_SFT = 1.4980.
    private static readonly IdealPoint Pythia = new(0.0522, 1.4980, IdealValueSource.Given, IdealValueSource.Given);

    [TestMethod]
    public void GapsAndDistanceMatchHandValues()
    {
        // (0.3522, 1.8980) is (0.3, 0.4) away from the ideal point: distance 0.5 (a 3-4-5 triangle).
        Assert.AreEqual(0.3, Pythia.DpoGap(0.3522), 1e-12);
        Assert.AreEqual(0.4, Pythia.SftGap(1.8980), 1e-12);
        Assert.AreEqual(0.5, Pythia.DistanceTo(0.3522, 1.8980), 1e-12);
        Assert.AreEqual(0.0, Pythia.DistanceTo(0.0522, 1.4980), 1e-15);
    }

    [TestMethod]
    public void MixGapAtQuarterLambdaMatchesHandValue()
    {
        // f = (0.3, 1.7), λ = 0.25:
        // f_Mix = 0.25·0.3 + 0.75·1.7 = 1.35; f*_Mix ≈ 0.25·0.0522 + 0.75·1.4980 = 1.13655; G = 0.21345.
        Assert.AreEqual(1.13655, Pythia.MixOptimum(0.25), 1e-12);
        Assert.AreEqual(0.21345, Pythia.MixGap(0.3, 1.7, 0.25), 1e-12);
    }

    [TestMethod]
    public void MixGapAtTheEndsIsTheSingleObjectiveGap()
    {
        Assert.AreEqual(Pythia.SftGap(1.7), Pythia.MixGap(0.3, 1.7, 0), 1e-15);
        Assert.AreEqual(Pythia.DpoGap(0.3), Pythia.MixGap(0.3, 1.7, 1), 1e-15);
    }

    [TestMethod]
    public void MixOptimumIsALowerBoundOfTheTrueMixtureMinimum()
    {
        // 1-D example of the paper (SPEC §6): f_DPO(θ) = log(1 + c(1+e^{θ/2})/(1+e^{−θ/2})) with c = e^5, and
        // f_SFT(θ) = log(1 + e^{−θ/2}). Both infima are 0 (θ → −∞ and θ → +∞), so the estimate is 0, while
        // the mixture minimum at λ = 0.5 is about ½·log 173.78 ≈ 2.58: the estimate never exceeds it.
        static double FDpo(double t) => Math.Log(1 + Math.Exp(5) * (1 + Math.Exp(t / 2)) / (1 + Math.Exp(-t / 2)));
        static double FSft(double t) => Math.Log(1 + Math.Exp(-t / 2));
        var mixMinimum = Enumerable.Range(-4000, 8001).Select(k => k / 100.0).Min(t => 0.5 * FDpo(t) + 0.5 * FSft(t));
        Assert.AreEqual(0.5 * Math.Log(173.78), mixMinimum, 0.01);

        var estimated = new IdealPoint(0, 0, IdealValueSource.Given, IdealValueSource.Given);
        Assert.IsLessThanOrEqualTo(mixMinimum, estimated.MixOptimum(0.5));
    }

    [TestMethod]
    public void LambdaOutsideTheUnitIntervalIsRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Pythia.MixGap(0.3, 1.7, 1.5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Pythia.MixOptimum(-0.1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Pythia.MixOptimum(double.NaN));
    }
}
