using TorchSharp;
using XRight.Modeling;
using XRight.Tests.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Performance;

[TestClass]
public sealed class RightPaddedScoringTests
{
    private static readonly (int[] Prompt, int[] Response)[] Rows =
    [
        ([1, 14, 7], [22, 5, 2]),
        ([1, 30], [9, 2]),
        ([1, 8, 8, 40, 12], [33, 2]),
    ];

    [TestMethod]
    public void ThePlanListsEachResponseTokenWithThePositionThatPredictsIt()
    {
        // Length 7: row 0 at offset 0 (response at 3..5), row 1 at 7 (response at 9..10), row 2 at 14 (response at 19..20).
        var plan = new ScoringPlan(Rows, length: 7, padId: 0);
        CollectionAssert.AreEqual(new long[] { 2, 3, 4, 8, 9, 18, 19 }, plan.PredictorPositions);
        CollectionAssert.AreEqual(new long[] { 22, 5, 2, 9, 2, 33, 2 }, plan.TargetIds);
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 1, 1, 2, 2 }, plan.TargetRows);
        CollectionAssert.AreEqual(new long[] { 3, 2, 2 }, plan.ResponseLengths);
        Assert.AreEqual((0, 40), (plan.MinTokenId, plan.MaxTokenId), "the padding id counts: it goes through the model too");
    }

    [TestMethod]
    public void IdsOutsideTheVocabularyAreRejectedBeforeTheForwardPass()
    {
        using var model = TinyModels.Randomized(TinyModels.NeoX());
        using var scope = NewDisposeScope();
        using var tooLarge = CausalLmBatch.Collate([([1, 2], [TinyModels.Vocab, 2])], padId: 0, CPU);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ResponseLogProbs.Compute(model, tooLarge)).Message, $"[0, {TinyModels.Vocab})");
        using var badPad = CausalLmBatch.Collate([([1, 2], [3]), ([1], [3])], padId: TinyModels.Vocab + 4, CPU);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ResponseLogProbs.Compute(model, badPad)).Message, $"found {TinyModels.Vocab + 4}");
        using var negative = CausalLmBatch.Collate([([1, -3], [2])], padId: 0, CPU);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ResponseLogProbs.Compute(model, negative)).Message, "found -3");
    }

    /// <summary>
    /// Scoring skips the padding mask and relies on causal attention: a row padded to many times its length
    /// must give the log-probs and the gradients of the row scored alone, for both architectures.
    /// </summary>
    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    public void HeavilyPaddedRowsScoreAndBackpropagateAsTheyDoAlone(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        (int[], int[])[] rows = [([1, 5], [7, 2]), ([1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 3], [4, 2])];

        var alone = rows.Select(row => LogProbAndGradient(model, [row])).ToArray();
        var together = LogProbAndGradient(model, rows);

        Assert.AreEqual(alone[0].LogProbs[0], together.LogProbs[0], 1e-5, "short row, padded with 18 positions");
        Assert.AreEqual(alone[1].LogProbs[0], together.LogProbs[1], 1e-5, "long row, unpadded");
        var expected = alone[0].Gradient.Zip(alone[1].Gradient, (a, b) => a + b).ToArray();
        double largest = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], together.Gradient[i], 1e-5 * largest, $"gradient element {i}");
    }

    private static (double[] LogProbs, double[] Gradient) LogProbAndGradient(CausalLm model, (int[], int[])[] rows)
    {
        using var scope = NewDisposeScope();
        model.zero_grad();
        using var batch = CausalLmBatch.Collate(rows, padId: 0, CPU);
        using var scores = ResponseLogProbs.Compute(model, batch);
        scores.SumLogProbs.sum().backward();
        var gradient = model.parameters().SelectMany(p => TinyModels.ToDoubles(p.grad!)).ToArray();
        model.zero_grad();
        return (TinyModels.ToDoubles(scores.SumLogProbs), gradient);
    }
}
