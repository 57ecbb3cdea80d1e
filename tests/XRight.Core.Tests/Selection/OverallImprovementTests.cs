using XRight.Selection;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class OverallImprovementTests
{
    [TestMethod]
    public void ReproducesThePapersTable3ForMixInSettingI()
    {
        // Table 3 (Llama3-8b), Sequential vs Mix at λ/(T_DPO, T_SFT) = 0.25/(1, 3). SORRY-Bench is lower-is-better.
        // (0.725−0.686)/0.686 = 0.0568513, (0.616−0.601)/0.601 = 0.0249584, −(0.269−0.742)/0.742 = 0.6374663,
        // (0.884−0.900)/0.900 = −0.0177778; mean = 0.1753746 → 17.53746 % (the table prints 0.175).
        var percent = OverallImprovement.Percent(
        [
            new("MMLU", 0.725, 0.686, LowerIsBetter: false),
            new("HellaSwag", 0.616, 0.601, LowerIsBetter: false),
            new("SORRY-Bench", 0.269, 0.742, LowerIsBetter: true),
            new("XSTest", 0.884, 0.900, LowerIsBetter: false),
        ]);
        Assert.AreEqual(17.53746, percent, 1e-4);
    }

    [TestMethod]
    public void ReproducesThePapersTable3ForMaxRightInSettingII()
    {
        // 0.5/(2, 2): (0.748−0.584)/0.584 = 0.2808219, (0.616−0.602)/0.602 = 0.0232558,
        // −(0.289−0.758)/0.758 = 0.6187335, (0.820−0.912)/0.912 = −0.1008772; mean = 0.2054835 (table: 0.205).
        var percent = OverallImprovement.Percent(
        [
            new("MMLU", 0.748, 0.584, LowerIsBetter: false),
            new("HellaSwag", 0.616, 0.602, LowerIsBetter: false),
            new("SORRY-Bench", 0.289, 0.758, LowerIsBetter: true),
            new("XSTest", 0.820, 0.912, LowerIsBetter: false),
        ]);
        Assert.AreEqual(20.54835, percent, 1e-4);
    }

    [TestMethod]
    public void LowerIsBetterFlipsTheSign()
    {
        // A loss that falls from 2.0 to 1.5 is a 25 % improvement; a score that falls the same way is −25 %.
        Assert.AreEqual(25.0, OverallImprovement.Percent([new("loss", 1.5, 2.0, LowerIsBetter: true)]), 1e-12);
        Assert.AreEqual(-25.0, OverallImprovement.Percent([new("score", 1.5, 2.0, LowerIsBetter: false)]), 1e-12);
    }

    [TestMethod]
    public void ZeroBaselineIsRejectedNamingTheMetric()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => OverallImprovement.Percent([new("f_DPO", 0.5, 0.0, LowerIsBetter: true)]));
        StringAssert.Contains(e.Message, "f_DPO");
        StringAssert.Contains(e.Message, "baseline value is 0");
    }

    [TestMethod]
    public void EmptyAndNonFiniteInputsAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => OverallImprovement.Percent([]));
        var e = Assert.ThrowsExactly<ArgumentException>(() => OverallImprovement.Percent([new("MMLU", double.NaN, 0.5, LowerIsBetter: false)]));
        StringAssert.Contains(e.Message, "MMLU");
    }
}
