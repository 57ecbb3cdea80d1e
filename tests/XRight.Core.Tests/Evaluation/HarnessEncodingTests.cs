using System.Text;
using XRight.Evaluation;
using XRight.Tests.Modeling;
using XRight.Text;

namespace XRight.Tests.Evaluation;

[TestClass]
public sealed class HarnessEncodingTests
{
    private static int[] Bytes(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    [TestMethod]
    public void TrailingWhitespaceOfTheContextMovesToTheContinuation()
    {
        using var model = TinyModels.Randomized(EvalModels.Config());
        var scorer = new MultipleChoiceScorer(model, EvalModels.Bytes);
        var (context, continuation) = scorer.Encode("Answer: \t", "B");
        CollectionAssert.AreEqual(Bytes("Answer:"), context);
        CollectionAssert.AreEqual(Bytes(" \tB"), continuation);

        // Python's whitespace includes U+001C..U+001F, which .NET's TrimEnd keeps.
        (context, continuation) = scorer.Encode("Q\u001f", "x");
        CollectionAssert.AreEqual(Bytes("Q"), context);
        CollectionAssert.AreEqual(Bytes("\u001fx"), continuation);
    }

    [TestMethod]
    public void AnEmptyContextIsThePrefixToken()
    {
        using var model = TinyModels.Randomized(EvalModels.Config());
        var scorer = new MultipleChoiceScorer(model, EvalModels.Bytes);
        Assert.AreEqual(256, scorer.PrefixTokenId, "no BOS: the tokenizer's EOS, <|endoftext|>");
        var (context, continuation) = scorer.Encode("", " hi");
        CollectionAssert.AreEqual(new[] { 256 }, context);
        CollectionAssert.AreEqual(Bytes(" hi"), continuation);

        var custom = new MultipleChoiceScorer(model, EvalModels.Bytes, new MultipleChoiceScorerOptions { PrefixTokenId = 7 });
        CollectionAssert.AreEqual(new[] { 7 }, custom.Encode("", "a").Context);
    }

    [TestMethod]
    public void WhereTokensMergeAcrossTheBoundaryTheContinuationIsTheWholeEncodingAfterTheContextsTokenCount()
    {
        var tokenizer = CausalLmTokenizer.FromPretrained(SharedAssets.Require("tokenizers/gpt-neox-20b"));
        using var model = TinyModels.Randomized(CausalLmConfig(tokenizer.VocabSize));
        var scorer = new MultipleChoiceScorer(model, tokenizer);

        // A word boundary: "Answer" ":" | " B".
        var (context, continuation) = scorer.Encode("Answer:", " B");
        CollectionAssert.AreEqual(new[] { 32869, 27 }, context);
        CollectionAssert.AreEqual(new[] { 378 }, continuation);

        // encode("I like hel") = I | like | hel, but encode("I like hello world") = I | like | hello | world:
        // the context keeps " hel" and the continuation is the whole encoding after 3 tokens, " world" alone.
        (context, continuation) = scorer.Encode("I like hel", "lo world");
        CollectionAssert.AreEqual(new[] { 42, 751, 1203 }, context);
        CollectionAssert.AreEqual(new[] { 1533 }, continuation);
        Assert.AreEqual(" world", tokenizer.Decode(continuation));

        // encode("The answer is hello") ends in " hello"; the whole "…helloworld" is … | hell | ow | orld: the
        // continuation is "ow" | "orld", after the context's 4 tokens.
        (context, continuation) = scorer.Encode("The answer is hello", "world");
        CollectionAssert.AreEqual(new[] { 510, 3662, 310, 23120 }, context);
        CollectionAssert.AreEqual(new[] { 319, 2875 }, continuation);

        // "I like hel" + "lo" encodes to as many tokens as the context: no continuation token is left (the harness asserts).
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => scorer.Encode("I like hel", "lo")).Message, "no tokens of its own");
    }

    private static XRight.Modeling.CausalLmConfig CausalLmConfig(int vocab) =>
        XRight.Modeling.CausalLmConfig.CreateGptNeoX(vocabSize: vocab, hiddenSize: 16, numLayers: 1, numHeads: 2);
}
