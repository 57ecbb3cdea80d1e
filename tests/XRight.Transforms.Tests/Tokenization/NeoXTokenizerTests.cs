using System.Text.Json.Nodes;
using XRight.Text;
using static XRight.Tests.Tokenization.RealTokenizers;

namespace XRight.Tests.Tokenization;

/// <summary>The GPT-NeoX-20B tokenizer (tokenizer.json) against ids looked up in its file.</summary>
[TestClass]
public sealed class NeoXTokenizerTests
{
    [TestMethod]
    public void GoldenIds()
    {
        CollectionAssert.AreEqual(NeoXIds("Hello", "Ġworld"), NeoX().Encode("Hello world"));
        CollectionAssert.AreEqual(new[] { 12092, 1533 }, NeoX().Encode("Hello world"));
        CollectionAssert.AreEqual(NeoXIds("Hello", "Ċ", "Ċ", "world", "Ċ"), NeoX().Encode("Hello\n\nworld\n"));
        CollectionAssert.AreEqual(NeoXIds("ðŁ", "ĺ", "Ģ"), NeoX().Encode("😀"));
        CollectionAssert.AreEqual(NeoXIds("æĹ¥æľ¬", "èª", "ŀ"), NeoX().Encode("日本語"));
        CollectionAssert.AreEqual(
            NeoXIds("I", "Ġâ", "Ŀ", "¤", "ï", "¸", "ı", "ĠðŁ", "¦", "Ļ", "ĠnaÃ¯ve", "ĠcafÃ©"),
            NeoX().Encode("I ❤️ 🦙 naïve café"));
    }

    [TestMethod]
    public void RunsOfSpacesAreAddedTokens()
    {
        // NeoX adds tokens for 2 to 24 spaces; they are matched before the BPE splits the text.
        CollectionAssert.AreEqual(NeoXIds("ĠHello", "  ", "world"), NeoX().Encode(" Hello  world"));
        CollectionAssert.AreEqual(NeoXIds("Hello", "   ", "world"), NeoX().Encode("Hello   world"));
        Assert.AreEqual(50275, NeoXIds("   ")[0]);
        Assert.IsFalse(NeoX().IsSpecial(50275), "runs of spaces are added but not special");
        Assert.AreEqual("a   b", NeoX().Decode(NeoX().Encode("a   b")));
    }

    [TestMethod]
    public void NfcNormalizerComposesCharacters()
    {
        // e + combining acute (U+0301) becomes é before the BPE: the same ids as the composed text.
        CollectionAssert.AreEqual(NeoXIds("c", "af", "Ã©"), NeoX().Encode("cafe\u0301"));
        CollectionAssert.AreEqual(NeoX().Encode("caf\u00e9"), NeoX().Encode("cafe\u0301"));
        Assert.AreEqual("caf\u00e9", NeoX().Decode(NeoX().Encode("cafe\u0301")));
    }

    [TestMethod]
    public void SpecialTokensInTextAreSingleIds()
    {
        var tokenizer = NeoX();
        CollectionAssert.AreEqual(new[] { NeoXIds("a")[0], 0, NeoXIds("b")[0] }, tokenizer.Encode("a<|endoftext|>b"));
        CollectionAssert.AreEqual(NeoXIds("<|im_start|>", "Hello", "<|im_end|>"), tokenizer.Encode("<|im_start|>Hello<|im_end|>"));
        Assert.AreEqual(0, tokenizer.EosTokenId);
        Assert.AreEqual(0, tokenizer.PadTokenId, "no pad token is configured, so padding uses EOS");
        Assert.AreEqual(50281, tokenizer.VocabSize);
        Assert.IsTrue(tokenizer.IsSpecial(1), "<|padding|> is a special added token");
        Assert.AreEqual("Hello", tokenizer.Decode(tokenizer.Encode("<|im_start|>Hello<|im_end|>")));
    }

    [TestMethod]
    public void PairFormMergesGiveTheSameIds()
    {
        var original = SharedAssets.Require($"{NeoXFolder}/tokenizer.json");
        var json = JsonNode.Parse(File.ReadAllText(original))!;
        var merges = json["model"]!["merges"]!.AsArray();
        Assert.IsInstanceOfType<string>(merges[0]!.GetValue<string>(), "the shared file uses the string form");
        json["model"]!["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m!.GetValue<string>().Split(' ').Select(p => (JsonNode)p).ToArray())).ToArray());
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("tokenizer.json"), json.ToJsonString());

        var pairForm = CausalLmTokenizer.FromPretrained(folder.Path);
        foreach (var text in new[] { "Hello world", "I ❤️ 🦙 naïve café", "日本語 and 123456 numbers\n\n  spaces", "<|endoftext|>x" })
            CollectionAssert.AreEqual(NeoX().Encode(text), pairForm.Encode(text), text);
    }
}
