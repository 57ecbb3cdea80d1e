using System.Text;
using System.Text.Json;
using XRight.Text;

namespace XRight.Tests.Tokenization;

/// <summary>The built-in byte-level tokenizer: ids are UTF-8 bytes, then EOS 256 and pad 257.</summary>
[TestClass]
public sealed class ByteLevelTokenizerTests
{
    [TestMethod]
    [DataRow("Hello world")]
    [DataRow("  leading spaces and\nnewlines\n")]
    [DataRow("naïve café 日本語 😀")]
    public void IdsAreTheUtf8Bytes(string text)
    {
        var tokenizer = CausalLmTokenizer.CreateByteLevel();
        CollectionAssert.AreEqual(Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray(), tokenizer.Encode(text));
        Assert.AreEqual(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [TestMethod]
    public void SpecialTokens()
    {
        var tokenizer = CausalLmTokenizer.CreateByteLevel();
        Assert.AreEqual(258, tokenizer.VocabSize);
        Assert.AreEqual(256, tokenizer.EosTokenId);
        Assert.AreEqual("<|endoftext|>", tokenizer.EosToken);
        Assert.AreEqual(257, tokenizer.PadTokenId);
        Assert.IsNull(tokenizer.BosTokenId);
        Assert.IsFalse(tokenizer.AddBosToken);
        CollectionAssert.AreEqual(new[] { 'h', 0xC3, 0xA9, 256, 257 }.Select(c => (int)c).ToArray(), tokenizer.Encode("hé<|endoftext|><|padding|>", addSpecialTokens: true));
        Assert.IsTrue(tokenizer.IsSpecial(256));
        Assert.IsTrue(tokenizer.IsSpecial(257));
        Assert.IsFalse(tokenizer.IsSpecial(255));
        Assert.AreEqual("hé", tokenizer.Decode([104, 195, 169, 256, 257]));
        Assert.AreEqual("hé<|endoftext|><|padding|>", tokenizer.Decode([104, 195, 169, 256, 257], skipSpecialTokens: false));
    }

    [TestMethod]
    public void SavesAStandardTokenizerJson()
    {
        using var folder = new TempDirectory();
        CausalLmTokenizer.CreateByteLevel().SaveTo(folder.Path);

        using var json = JsonDocument.Parse(File.ReadAllBytes(folder.File("tokenizer.json")));
        var model = json.RootElement.GetProperty("model");
        Assert.AreEqual("BPE", model.GetProperty("type").GetString());
        Assert.AreEqual(0, model.GetProperty("merges").GetArrayLength());
        var vocab = model.GetProperty("vocab");
        Assert.AreEqual(256, vocab.EnumerateObject().Count());
        Assert.AreEqual(32, vocab.GetProperty("Ġ").GetInt32(), "a space is 'Ġ' in the byte-level alphabet");
        Assert.AreEqual(10, vocab.GetProperty("Ċ").GetInt32());
        Assert.AreEqual(65, vocab.GetProperty("A").GetInt32());
        Assert.AreEqual("ByteLevel", json.RootElement.GetProperty("pre_tokenizer").GetProperty("type").GetString());
        var added = json.RootElement.GetProperty("added_tokens").EnumerateArray()
            .Select(t => (t.GetProperty("id").GetInt32(), t.GetProperty("content").GetString(), t.GetProperty("special").GetBoolean())).ToArray();
        CollectionAssert.AreEqual(new[] { (256, "<|endoftext|>", true), (257, "<|padding|>", true) }, added);

        using var config = JsonDocument.Parse(File.ReadAllBytes(folder.File("tokenizer_config.json")));
        Assert.AreEqual("<|endoftext|>", config.RootElement.GetProperty("eos_token").GetString());
        Assert.AreEqual("<|padding|>", config.RootElement.GetProperty("pad_token").GetString());
        Assert.AreEqual(JsonValueKind.Null, config.RootElement.GetProperty("bos_token").ValueKind);
        Assert.IsFalse(config.RootElement.GetProperty("add_bos_token").GetBoolean());
    }
}
