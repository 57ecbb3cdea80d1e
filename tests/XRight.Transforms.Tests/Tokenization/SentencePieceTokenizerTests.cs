using XRight.Text;
using static XRight.Tests.Tokenization.SentencePieceModelWriter;

namespace XRight.Tests.Tokenization;

/// <summary>
/// SentencePiece <c>tokenizer.model</c> files, written by the test: SentencePiece BPE merges the adjacent
/// pair whose joined piece scores highest, "▁" marks a space (and the dummy prefix), and characters
/// outside the vocabulary fall back to the byte pieces <c>&lt;0xNN&gt;</c> (id 3 + byte).
/// </summary>
[TestClass]
public sealed class SentencePieceTokenizerTests
{
    // 0-2 special, 3-258 bytes, then the pieces below from 259.
    private const int Space = 259, H = 260, E = 261, L = 262, O = 263, W = 264, R = 265, D = 266, Hello = 271;

    private static readonly (string Piece, float Score)[] Pieces =
    [
        ("▁", -1), ("h", -2), ("e", -2), ("l", -2), ("o", -2), ("w", -2), ("r", -2), ("d", -2),
        ("ll", -3), ("he", -4), ("▁he", -5), ("llo", -6), ("▁hello", -7),
    ];

    internal static byte[] Model(ModelType modelType = ModelType.Bpe, string normalizer = "identity")
    {
        var pieces = new List<(string, float, PieceType)> { ("<unk>", 0, PieceType.Unknown), ("<s>", 0, PieceType.Control), ("</s>", 0, PieceType.Control) };
        pieces.AddRange(BytePieces());
        pieces.AddRange(Pieces.Select(p => (p.Piece, p.Score, PieceType.Normal)));
        return Write(pieces, modelType, normalizerName: normalizer);
    }

    internal static CausalLmTokenizer Load(TempDirectory folder, string? tokenizerConfig = null)
    {
        File.WriteAllBytes(folder.File("tokenizer.model"), Model());
        if (tokenizerConfig is not null) File.WriteAllText(folder.File("tokenizer_config.json"), tokenizerConfig);
        return CausalLmTokenizer.FromPretrained(folder.Path);
    }

    [TestMethod]
    public void MergesFollowPieceScores()
    {
        using var folder = new TempDirectory();
        var tokenizer = Load(folder);
        // "▁hello": ll (-3), he (-4), ▁he (-5), llo (-6), ▁hello (-7), each the best pair left.
        CollectionAssert.AreEqual(new[] { Hello }, tokenizer.Encode("hello"));
        // "▁world" has no merges: each character is a piece.
        CollectionAssert.AreEqual(new[] { Hello, Space, W, O, R, L, D }, tokenizer.Encode("hello world"));
        // Two spaces: the first is a lone "▁", the second starts "▁hello".
        CollectionAssert.AreEqual(new[] { Hello, Space, Hello }, tokenizer.Encode("hello  hello"));
    }

    [TestMethod]
    public void UnknownCharactersFallBackToBytes()
    {
        using var folder = new TempDirectory();
        var tokenizer = Load(folder);
        // é is C3 A9 in UTF-8.
        CollectionAssert.AreEqual(new[] { Space, H, 3 + 0xC3, 3 + 0xA9 }, tokenizer.Encode("hé"));
        Assert.AreEqual("hé", tokenizer.Decode(tokenizer.Encode("hé")));
        Assert.AreEqual("hello world", tokenizer.Decode(tokenizer.Encode("hello world")));
    }

    [TestMethod]
    public void BosIsAddedAsLlamaDoes()
    {
        using var folder = new TempDirectory();
        var tokenizer = Load(folder);
        Assert.AreEqual(1, tokenizer.BosTokenId);
        Assert.AreEqual("<s>", tokenizer.BosToken);
        Assert.AreEqual(2, tokenizer.EosTokenId);
        Assert.AreEqual("</s>", tokenizer.EosToken);
        Assert.AreEqual(2, tokenizer.PadTokenId);
        Assert.IsTrue(tokenizer.AddBosToken);
        Assert.IsFalse(tokenizer.AddEosToken);
        Assert.AreEqual(3 + 256 + Pieces.Length, tokenizer.VocabSize);
        CollectionAssert.AreEqual(new[] { 1, Hello }, tokenizer.Encode("hello", addSpecialTokens: true));
        CollectionAssert.AreEqual(new[] { Hello }, tokenizer.Encode("hello"));
    }

    [TestMethod]
    public void SpecialTokensInTextAreSingleIdsAndSkippedOnDecode()
    {
        using var folder = new TempDirectory();
        var tokenizer = Load(folder);
        var ids = tokenizer.Encode("<s>hello</s>");
        CollectionAssert.AreEqual(new[] { 1, Hello, 2 }, ids);
        Assert.AreEqual("hello", tokenizer.Decode(ids));
        Assert.AreEqual("<s>hello</s>", tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.IsTrue(tokenizer.IsSpecial(0), "<unk>");
        Assert.IsTrue(tokenizer.IsSpecial(1));
        Assert.IsTrue(tokenizer.IsSpecial(2));
        Assert.IsFalse(tokenizer.IsSpecial(Hello));
    }

    [TestMethod]
    public void ConfigurationOverridesBosAndAddsTokens()
    {
        using var folder = new TempDirectory();
        var tokenizer = Load(folder, """
            {
              "add_bos_token": false,
              "pad_token": "<|im_end|>",
              "added_tokens_decoder": { "272": { "content": "<|im_end|>", "special": true, "lstrip": false, "rstrip": false, "normalized": false, "single_word": false } }
            }
            """);
        Assert.IsFalse(tokenizer.AddBosToken);
        CollectionAssert.AreEqual(new[] { Hello, 272 }, tokenizer.Encode("hello<|im_end|>", addSpecialTokens: true));
        Assert.AreEqual(273, tokenizer.VocabSize);
        Assert.AreEqual(272, tokenizer.PadTokenId);
        Assert.IsTrue(tokenizer.IsSpecial(272));
    }

    [TestMethod]
    public void SentencePieceStyleTokenizerJsonDefersToTheModel()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("tokenizer.json"), """
            {
              "added_tokens": [ { "id": 272, "content": "<|im_end|>", "special": true, "normalized": false } ],
              "pre_tokenizer": { "type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false },
              "decoder": { "type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false },
              "model": { "type": "BPE", "byte_fallback": true, "vocab": { "<unk>": 0 }, "merges": [] }
            }
            """);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => CausalLmTokenizer.FromPretrained(folder.Path));
        StringAssert.Contains(error.Message, "add the model's tokenizer.model");

        File.WriteAllBytes(folder.File("tokenizer.model"), Model());
        var tokenizer = CausalLmTokenizer.FromPretrained(folder.Path);
        CollectionAssert.AreEqual(new[] { Hello, 272 }, tokenizer.Encode("hello<|im_end|>"), "the added tokens of tokenizer.json count");

        using var copy = new TempDirectory();
        tokenizer.SaveTo(copy.Path);
        CollectionAssert.AreEqual(File.ReadAllBytes(folder.File("tokenizer.json")), File.ReadAllBytes(copy.File("tokenizer.json")));
        CollectionAssert.AreEqual(new[] { Hello, 272 }, CausalLmTokenizer.FromPretrained(copy.Path).Encode("hello<|im_end|>"));
    }

    [TestMethod]
    public void UnigramAndOtherNormalizersAreNotSupported()
    {
        using var folder = new TempDirectory();
        File.WriteAllBytes(folder.File("tokenizer.model"), Model(ModelType.Unigram));
        var unigram = Assert.ThrowsExactly<NotSupportedException>(() => CausalLmTokenizer.FromPretrained(folder.Path));
        StringAssert.Contains(unigram.Message, "tokenizer.model");

        File.WriteAllBytes(folder.File("tokenizer.model"), Model(normalizer: "nmt_nfkc"));
        var normalizer = Assert.ThrowsExactly<NotSupportedException>(() => CausalLmTokenizer.FromPretrained(folder.Path));
        StringAssert.Contains(normalizer.Message, "nmt_nfkc");
    }

    [TestMethod]
    public void GarbageModelFileIsInvalidData()
    {
        using var folder = new TempDirectory();
        File.WriteAllBytes(folder.File("tokenizer.model"), [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CausalLmTokenizer.FromPretrained(folder.Path));
        StringAssert.Contains(error.Message, "tokenizer.model");
    }
}
