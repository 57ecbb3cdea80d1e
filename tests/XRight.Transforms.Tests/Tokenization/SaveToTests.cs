using XRight.Text;

namespace XRight.Tests.Tokenization;

/// <summary>SaveTo then FromPretrained gives the same tokenizer, for every kind of tokenizer.</summary>
[TestClass]
public sealed class SaveToTests
{
    private static readonly string[] Texts =
    [
        "Hello world", " two  spaces\n\nand lines\n", "naïve café 日本語 😀", "hello<|endoftext|>", "<s>hello</s>", "hello<|im_end|>",
    ];

    private static CausalLmTokenizer SaveAndReload(CausalLmTokenizer tokenizer, TempDirectory folder)
    {
        tokenizer.SaveTo(folder.Path);
        var reloaded = CausalLmTokenizer.FromPretrained(folder.Path);
        Assert.AreEqual(tokenizer.VocabSize, reloaded.VocabSize);
        Assert.AreEqual(tokenizer.EosTokenId, reloaded.EosTokenId);
        Assert.AreEqual(tokenizer.EosToken, reloaded.EosToken);
        Assert.AreEqual(tokenizer.BosTokenId, reloaded.BosTokenId);
        Assert.AreEqual(tokenizer.BosToken, reloaded.BosToken);
        Assert.AreEqual(tokenizer.PadTokenId, reloaded.PadTokenId);
        Assert.AreEqual(tokenizer.AddBosToken, reloaded.AddBosToken);
        Assert.AreEqual(tokenizer.AddEosToken, reloaded.AddEosToken);
        for (var id = 0; id < tokenizer.VocabSize; id++) Assert.AreEqual(tokenizer.IsSpecial(id), reloaded.IsSpecial(id), $"IsSpecial({id})");
        foreach (var text in Texts)
        {
            CollectionAssert.AreEqual(tokenizer.Encode(text, addSpecialTokens: true), reloaded.Encode(text, addSpecialTokens: true), text);
            Assert.AreEqual(tokenizer.Decode(tokenizer.Encode(text)), reloaded.Decode(reloaded.Encode(text)), text);
        }
        return reloaded;
    }

    private static void AssertSameBytes(string original, string copy) =>
        CollectionAssert.AreEqual(File.ReadAllBytes(original), File.ReadAllBytes(copy), $"{Path.GetFileName(original)} is kept byte for byte");

    [TestMethod]
    public void ByteLevel()
    {
        using var folder = new TempDirectory();
        SaveAndReload(CausalLmTokenizer.CreateByteLevel(), folder);
    }

    [TestMethod]
    public void Gpt2VocabAndMerges()
    {
        var source = SharedAssets.Require(RealTokenizers.Gpt2Folder);
        using var folder = new TempDirectory();
        SaveAndReload(RealTokenizers.Gpt2(), folder);
        AssertSameBytes(Path.Combine(source, "vocab.json"), folder.File("vocab.json"));
        AssertSameBytes(Path.Combine(source, "merges.txt"), folder.File("merges.txt"));
    }

    [TestMethod]
    public void NeoXTokenizerJson()
    {
        var source = SharedAssets.Require(RealTokenizers.NeoXFolder);
        using var folder = new TempDirectory();
        SaveAndReload(RealTokenizers.NeoX(), folder);
        AssertSameBytes(Path.Combine(source, "tokenizer.json"), folder.File("tokenizer.json"));
    }

    [TestMethod]
    public void SentencePieceWithConfigurationKeepsItsSettings()
    {
        using var source = new TempDirectory();
        var tokenizer = SentencePieceTokenizerTests.Load(source, """
            {
              "add_bos_token": false, "add_eos_token": true, "model_max_length": 2048,
              "added_tokens_decoder": { "272": { "content": "<|im_end|>", "special": true } }
            }
            """);
        using var folder = new TempDirectory();
        SaveAndReload(tokenizer, folder);
        AssertSameBytes(source.File("tokenizer.model"), folder.File("tokenizer.model"));
        StringAssert.Contains(File.ReadAllText(folder.File("tokenizer_config.json")), "\"model_max_length\": 2048");
    }

    [TestMethod]
    public void RefusesAFolderWithAnotherTokenizer()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("tokenizer.model"), "another tokenizer");
        var error = Assert.ThrowsExactly<IOException>(() => CausalLmTokenizer.CreateByteLevel().SaveTo(folder.Path));
        StringAssert.Contains(error.Message, "tokenizer.model");
        Assert.IsFalse(File.Exists(folder.File("tokenizer.json")), "nothing is written");
    }

    [TestMethod]
    public void OverwritesAnEarlierCopyOfTheSameKind()
    {
        using var folder = new TempDirectory();
        CausalLmTokenizer.CreateByteLevel().SaveTo(folder.Path);
        SaveAndReload(CausalLmTokenizer.CreateByteLevel(), folder);
        CollectionAssert.AreEquivalent(
            new[] { "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json" },
            Directory.GetFiles(folder.Path).Select(Path.GetFileName).ToArray(), "no temporary files are left");
    }
}
