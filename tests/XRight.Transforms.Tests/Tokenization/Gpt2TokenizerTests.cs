using static XRight.Tests.Tokenization.RealTokenizers;

namespace XRight.Tests.Tokenization;

/// <summary>The GPT-2 tokenizer (vocab.json + merges.txt) against ids looked up in its vocab.json.</summary>
[TestClass]
public sealed class Gpt2TokenizerTests
{
    [TestMethod]
    public void HelloWorldIsTheWellKnownPair()
    {
        CollectionAssert.AreEqual(new[] { 15496, 995 }, Gpt2().Encode("Hello world"));
        CollectionAssert.AreEqual(Gpt2Ids("Hello", "Ġworld"), Gpt2().Encode("Hello world"));
    }

    [TestMethod]
    public void SpacesAndNewlinesFollowTheGpt2Pattern()
    {
        // A leading space joins the word; of a run of spaces, the last joins the next word.
        CollectionAssert.AreEqual(Gpt2Ids("ĠHello", "Ġ", "Ġworld"), Gpt2().Encode(" Hello  world"));
        CollectionAssert.AreEqual(Gpt2Ids("Hello", "Ċ", "Ċ", "world", "Ċ"), Gpt2().Encode("Hello\n\nworld\n"));
        CollectionAssert.AreEqual(Gpt2Ids("User", ":", "Ġhi", "Ċ", "Assistant", ":", "Ġ"), Gpt2().Encode("User: hi\nAssistant: "));
    }

    [TestMethod]
    public void MultiByteCharactersSplitIntoByteTokens()
    {
        // 😀 is F0 9F 98 80: "ðŁĺ" covers the first three bytes, "Ģ" the last.
        CollectionAssert.AreEqual(Gpt2Ids("ðŁĺ", "Ģ"), Gpt2().Encode("😀"));
        CollectionAssert.AreEqual(Gpt2Ids("æĹ", "¥", "æľ", "¬", "èª", "ŀ"), Gpt2().Encode("日本語"));
        CollectionAssert.AreEqual(
            Gpt2Ids("I", "ĠâĿ", "¤", "ï¸ı", "ĠðŁ", "¦", "Ļ", "ĠnaÃ¯ve", "ĠcafÃ©"),
            Gpt2().Encode("I ❤️ 🦙 naïve café"));
        // GPT-2 does not normalize: e + combining acute stays two characters.
        CollectionAssert.AreEqual(Gpt2Ids("c", "afe", "Ì", "ģ"), Gpt2().Encode("cafe\u0301"));
    }

    [TestMethod]
    public void EndOfTextInTheTextIsOneSpecialId()
    {
        var tokenizer = Gpt2();
        CollectionAssert.AreEqual(new[] { Gpt2Ids("a")[0], 50256, Gpt2Ids("b")[0] }, tokenizer.Encode("a<|endoftext|>b"));
        Assert.AreEqual(50256, tokenizer.EosTokenId);
        Assert.AreEqual("<|endoftext|>", tokenizer.EosToken);
        Assert.IsTrue(tokenizer.IsSpecial(50256));
        Assert.IsFalse(tokenizer.IsSpecial(995));
    }

    [TestMethod]
    public void SpecialTokenDefaultsFollowGpt2()
    {
        var tokenizer = Gpt2();
        Assert.AreEqual(50257, tokenizer.VocabSize);
        Assert.IsNull(tokenizer.BosTokenId);
        Assert.IsNull(tokenizer.BosToken);
        Assert.IsFalse(tokenizer.AddBosToken);
        Assert.IsFalse(tokenizer.AddEosToken);
        Assert.AreEqual(50256, tokenizer.PadTokenId, "without a pad token, padding uses EOS");
        CollectionAssert.AreEqual(tokenizer.Encode("Hello world"), tokenizer.Encode("Hello world", addSpecialTokens: true));
    }

    [TestMethod]
    public void DecodeSkipsSpecialTokensOnlyWhenAsked()
    {
        var ids = Gpt2().Encode("Hello world<|endoftext|>");
        Assert.AreEqual("Hello world", Gpt2().Decode(ids));
        Assert.AreEqual("Hello world<|endoftext|>", Gpt2().Decode(ids, skipSpecialTokens: false));
        Assert.AreEqual(" I ❤️ 🦙", Gpt2().Decode(Gpt2().Encode(" I ❤️ 🦙")));
    }

    [TestMethod]
    public void DecodeRejectsIdsOutsideTheVocabulary()
    {
        var tokenizer = Gpt2();
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => tokenizer.Decode([15496, 50257]));
        StringAssert.Contains(error.Message, "50257");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => tokenizer.Decode([-1]));
    }
}
