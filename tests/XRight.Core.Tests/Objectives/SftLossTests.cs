using TorchSharp;
using XRight.Objectives;
using static TorchSharp.torch;

namespace XRight.Tests.Objectives;

[TestClass]
public sealed class SftLossTests
{
    [TestMethod]
    public void LossIsTokenMeanOverTheBatch()
    {
        // Rows with log-prob sums −2 (2 tokens) and −4 (6 tokens): −(−2 − 4) / (2 + 6) = 0.75,
        // not the row mean (1 + 0.667)/2 = 0.833.
        using var scope = torch.NewDisposeScope();
        var loss = SftLoss.Compute(torch.tensor(new[] { -2.0, -4.0 }), torch.tensor(new long[] { 2, 6 }));
        Assert.AreEqual(0.75, loss.item<double>(), 1e-12);
    }

    [TestMethod]
    public void LossEqualsIgnoreIndexCrossEntropyMean()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        const int rows = 3, length = 5, vocab = 7;
        var logits = torch.randn(rows, length, vocab, dtype: ScalarType.Float64);
        var labels = torch.tensor(new long[]
        {
            -100, -100, 3, 1, -100,     // prompt, prompt, two response tokens, padding
            -100, 6, 0, 2, 5,
            -100, -100, -100, -100, 4,
        }).reshape(rows, length);

        var mask = labels.ne(-100);
        var safeLabels = labels.masked_fill(mask.logical_not(), 0);
        var tokenLogProbs = logits.log_softmax(-1).gather(-1, safeLabels.unsqueeze(-1)).squeeze(-1) * mask.to_type(ScalarType.Float64);
        var loss = SftLoss.Compute(tokenLogProbs.sum(1), mask.sum(1));

        var expected = nn.functional.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1));
        Assert.AreEqual(expected.item<double>(), loss.item<double>(), 1e-12);
    }

    [TestMethod]
    public void GradientIsMinusOneOverTokenCount()
    {
        using var scope = torch.NewDisposeScope();
        var sums = torch.tensor(new[] { -2.0, -4.0, -1.5 }, requires_grad: true);
        SftLoss.Compute(sums, torch.tensor(new[] { 2.0, 6.0, 2.0 })).backward();
        foreach (var g in sums.grad!.data<double>().ToArray()) Assert.AreEqual(-0.1, g, 1e-12);   // −1 / 10 tokens
    }

    [TestMethod]
    public void TokenAccuracyIsCorrectOverAllTokens()
    {
        // (1 + 3 + 0) / (2 + 6 + 2) = 0.4.
        using var scope = torch.NewDisposeScope();
        var accuracy = SftLoss.TokenAccuracy(torch.tensor(new long[] { 1, 3, 0 }), torch.tensor(new long[] { 2, 6, 2 }));
        Assert.AreEqual(0.4f, accuracy.item<float>(), 1e-7f);
    }

    [TestMethod]
    public void RejectsMismatchedInputs()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => SftLoss.Compute(torch.tensor(new[] { -1.0, -2.0 }), torch.tensor(new long[] { 1 })));
        StringAssert.Contains(e.Message, "'tokenCounts' has 1 rows but 'sumLogProbs' has 2");
        var integers = Assert.ThrowsExactly<ArgumentException>(() => SftLoss.Compute(torch.tensor(new long[] { -1 }), torch.tensor(new long[] { 1 })));
        StringAssert.Contains(integers.Message, "'sumLogProbs' must hold floating-point");
    }
}
