using TorchSharp;
using XRight.Objectives;
using static TorchSharp.torch;

namespace XRight.Tests.Objectives;

[TestClass]
public sealed class MetricsTests
{
    [TestMethod]
    public void DpoMetricsAreTheMeansOverPairs()
    {
        // The two pairs of DpoLossTests (β = 0.1): rewards chosen [0.05, −0.1], rejected [−0.05, 0.1];
        // margins [0.1, −0.2] → −0.05; accuracies [1, 0] → 0.5; logps chosen mean −2, rejected mean −1.5.
        using var scope = torch.NewDisposeScope();
        var result = DpoLoss.Compute(
            torch.tensor(new[] { -1.0, -3.0 }), torch.tensor(new[] { -2.0, -1.0 }),
            torch.tensor(new[] { -1.5, -2.0 }), torch.tensor(new[] { -1.5, -2.0 }), new DpoLossOptions());
        var m = DpoMetrics.From(result);
        Assert.AreEqual(0.7212677647275814, m.Loss, 1e-9);
        Assert.AreEqual(-0.025, m.RewardsChosen, 1e-7);
        Assert.AreEqual(0.025, m.RewardsRejected, 1e-7);
        Assert.AreEqual(-0.05, m.RewardsMargins, 1e-7);
        Assert.AreEqual(0.5, m.RewardsAccuracies, 0);
        Assert.AreEqual(-2.0, m.LogpsChosen, 0);
        Assert.AreEqual(-1.5, m.LogpsRejected, 0);

        var keys = m.ToDictionary();
        CollectionAssert.AreEquivalent(
            new[] { "loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies", "logps/chosen", "logps/rejected" },
            keys.Keys.ToArray());
        Assert.AreEqual(m.RewardsMargins, keys["rewards/margins"]);
    }

    [TestMethod]
    public void SftMetricsUseTrlNames()
    {
        using var scope = torch.NewDisposeScope();
        var counts = torch.tensor(new long[] { 2, 6 });
        var m = SftMetrics.From(SftLoss.Compute(torch.tensor(new[] { -2.0, -4.0 }), counts), SftLoss.TokenAccuracy(torch.tensor(new long[] { 2, 2 }), counts));
        Assert.AreEqual(0.75, m.Loss, 1e-7);
        Assert.AreEqual(0.5, m.MeanTokenAccuracy, 1e-7);
        CollectionAssert.AreEquivalent(new[] { "loss", "mean_token_accuracy" }, m.ToDictionary().Keys.ToArray());
    }

    [TestMethod]
    public void MetricsRejectNonScalars()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => SftMetrics.From(torch.zeros(2), torch.zeros(1)));
        StringAssert.Contains(e.Message, "Metric 0 must be a scalar tensor; found shape [2]");
    }
}
