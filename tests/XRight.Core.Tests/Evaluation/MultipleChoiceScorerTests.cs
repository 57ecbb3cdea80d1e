using XRight.Evaluation;
using XRight.Modeling;
using XRight.Tests.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Evaluation;

[TestClass]
public sealed class MultipleChoiceScorerTests
{
    // Three contexts of different lengths, two of them shared by several continuations of 1 to 4 tokens.
    private static readonly (int[] Context, int[] Continuation)[] Requests =
    [
        ([1, 14, 7, 3], [22]),
        ([1, 14, 7, 3], [5, 9, 2]),
        ([1, 14, 7, 3], [40, 41, 42, 43]),
        ([1, 30], [9, 2]),
        ([1, 8, 8, 40, 12, 6, 6], [33]),
        ([1, 8, 8, 40, 12, 6, 6], [34]),
        ([1, 30], [11]),
    ];

    /// <summary>log p(continuation | context) from one full forward pass over context + continuation, alone.</summary>
    private static (double LogLikelihood, bool Greedy) FullForward(CausalLm model, int[] context, int[] continuation)
    {
        int[] row = [.. context, .. continuation];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = TinyModels.ToDoubles(model.Forward(TinyModels.Ids(row.Select(i => (long)i).ToArray())));
        int vocab = model.Config.VocabSize;
        double sum = 0;
        bool greedy = true;
        for (int t = context.Length; t < row.Length; t++)
        {
            var z = logits.AsSpan((t - 1) * vocab, vocab).ToArray();
            double max = z.Max();
            sum += z[row[t]] - (max + Math.Log(z.Sum(v => Math.Exp(v - max))));
            greedy &= Array.IndexOf(z, max) == row[t];
        }
        return (sum, greedy);
    }

    [TestMethod]
    [DataRow("neox", 32)]
    [DataRow("neox", 1)]
    [DataRow("llama", 32)]
    [DataRow("llama", 2)]
    [DataRow("opt", 3)]
    [DataRow("opt-350m", 32)]
    public void LogLikelihoodsEqualFullForwardPassesOfEachSequenceAlone(string variant, int batchSize)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        var scorer = new MultipleChoiceScorer(model, EvalModels.Bytes, new MultipleChoiceScorerOptions { BatchSize = batchSize });
        var results = scorer.ScoreTokens(Requests);
        Assert.AreEqual(Requests.Length, results.Count);
        for (int i = 0; i < Requests.Length; i++)
        {
            var (expected, greedy) = FullForward(model, Requests[i].Context, Requests[i].Continuation);
            Assert.AreEqual(expected, results[i].LogLikelihood, 2e-4, $"request {i}");
            Assert.AreEqual(greedy, results[i].IsGreedy, $"request {i}");
            Assert.AreEqual(Requests[i].Continuation.Length, results[i].TokenCount);
        }
    }

    [TestMethod]
    public void EachDistinctContextGoesThroughTheModelOnce()
    {
        using var model = TinyModels.Randomized(TinyModels.NeoX());
        var scorer = new MultipleChoiceScorer(model, EvalModels.Bytes);
        scorer.ScoreTokens(Requests);
        Assert.AreEqual(3, scorer.ContextRowsRun, "three distinct contexts");
        Assert.AreEqual(7, scorer.ContinuationRowsRun, "one batch, with a second pass for its continuations of more than one token");

        var singleTokens = new MultipleChoiceScorer(model, EvalModels.Bytes);
        singleTokens.ScoreTokens([([1, 2, 3], [4]), ([1, 2, 3], [5]), ([1, 2, 3], [6]), ([1, 2, 3], [7])]);
        Assert.AreEqual(1, singleTokens.ContextRowsRun, "four one-token answers after one context: one row");
        Assert.AreEqual(0, singleTokens.ContinuationRowsRun, "one-token continuations need no second pass");
    }

    [TestMethod]
    public void ConstantLogitsGiveTheHandComputedSums()
    {
        var logits = new Dictionary<int, double> { ['B'] = 4.0, [' '] = 1.5 };
        using var model = EvalModels.ConstantLogits(logits);
        var scorer = new MultipleChoiceScorer(model, EvalModels.Bytes);
        var results = scorer.ScoreChoices("Answer:", [" A", " B", " BB"]);
        double space = EvalModels.LogProb(logits, ' '), a = EvalModels.LogProb(logits, 'A'), b = EvalModels.LogProb(logits, 'B');
        // ln(258 + e^4 + e^1.5) = 4.2…; log p(' ') = 1.5 − that, log p('A') = −that.
        Assert.AreEqual(space + a, results[0].LogLikelihood, 1e-5);
        Assert.AreEqual(space + b, results[1].LogLikelihood, 1e-5);
        Assert.AreEqual(space + 2 * b, results[2].LogLikelihood, 1e-5);
        Assert.IsFalse(results[0].IsGreedy);
        Assert.IsFalse(results[1].IsGreedy, "' ' is not the most likely token");
        Assert.IsTrue(scorer.ScoreChoices("x", ["BBB"])[0].IsGreedy, "'B' is the most likely token everywhere");
    }

    [TestMethod]
    public void InputsLongerThanTheWindowLoseContextFromTheLeft()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        var scorer = new MultipleChoiceScorer(model, EvalModels.Bytes, new MultipleChoiceScorerOptions { MaxLength = 6 });
        int[] context = [1, 10, 11, 12, 13, 14, 15, 16];
        var results = scorer.ScoreTokens([(context, [20, 21]), (context, [22])]);
        // The harness feeds (context + continuation)[-(6 + 1):][:-1]: 7 tokens, of which the last 2 or 1 are the continuation.
        Assert.AreEqual(FullForward(model, context[3..], [20, 21]).LogLikelihood, results[0].LogLikelihood, 2e-4);
        Assert.AreEqual(FullForward(model, context[2..], [22]).LogLikelihood, results[1].LogLikelihood, 2e-4);
        Assert.ThrowsExactly<ArgumentException>(() => scorer.ScoreTokens([([1], [2, 3, 4, 5, 6, 7, 8])]), "a continuation longer than the window");
    }

    [TestMethod]
    public void ScoringLeavesTheModelInItsModeAndRejectsEmptyParts()
    {
        using var model = TinyModels.Randomized(TinyModels.NeoX());
        model.train();
        var scorer = new MultipleChoiceScorer(model, EvalModels.Bytes);
        scorer.ScoreTokens([([1, 2], [3])]);
        Assert.IsTrue(model.training);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => scorer.ScoreTokens([([], [3])])).Message, "empty context");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => scorer.ScoreTokens([([1], [])])).Message, "empty continuation");
        Assert.ThrowsExactly<ArgumentException>(() => scorer.Encode("context", ""));
        Assert.ThrowsExactly<ArgumentException>(() => new MultipleChoiceScorer(model, EvalModels.Bytes, new MultipleChoiceScorerOptions { BatchSize = 0 }));
    }
}
