using System.Text.Json.Nodes;
using XRight.Text;
using static XRight.Tests.Tokenization.TinyTokenizerJson;

namespace XRight.Tests.Tokenization;

/// <summary>
/// The tokenizer.json options that change ids, on tiny byte-level files whose ids are worked out by
/// hand: byte b has id b (so 'a' is 97), extra tokens follow from 256, and merges apply lowest rank first.
/// </summary>
[TestClass]
public sealed class TokenizerJsonFeatureTests
{
    private static CausalLmTokenizer Load(JsonNode json, string? tokenizerConfig = null)
    {
        using var folder = new TempDirectory();
        return CausalLmTokenizer.FromPretrained(Write(folder, json, tokenizerConfig));
    }

    // "12345": with merges 3+4 (rank 0), 1+2, 12+3, 4+5 and no split, 3+4 wins first: [12, 34, 5].
    private static JsonObject Digits(JsonNode? preTokenizer, JsonNode? postProcessor = null) => Create(
        extraTokens: ["12", "123", "34", "45"], merges: ["3 4", "1 2", "12 3", "4 5"], preTokenizer: preTokenizer,
        postProcessor: postProcessor, addedTokens: [(260, "<|begin_of_text|>", true), (261, "<|end_of_text|>", true)]);

    [TestMethod]
    public void SplitPatternCutsBeforeMerging()
    {
        var whole = Load(Digits(ByteLevel()), """{"eos_token": "<|end_of_text|>"}""");
        CollectionAssert.AreEqual(new[] { 256, 258, '5' }, whole.Encode("12345"));

        // Llama-3 style: numbers in groups of up to three, then ByteLevel without its own regex: "123" | "45".
        var split = Load(Digits(Sequence("pretokenizers", Split(@"\p{N}{1,3}| ?\p{L}+|\s+"), ByteLevel(useRegex: false))),
            """{"eos_token": "<|end_of_text|>"}""");
        CollectionAssert.AreEqual(new[] { 257, 259 }, split.Encode("12345"));
    }

    [TestMethod]
    public void TemplateProcessingAddsBos()
    {
        var template = JsonNode.Parse("""
            {
              "type": "TemplateProcessing",
              "single": [ { "SpecialToken": { "id": "<|begin_of_text|>", "type_id": 0 } }, { "Sequence": { "id": "A", "type_id": 0 } } ],
              "pair": [ { "Sequence": { "id": "A", "type_id": 0 } }, { "Sequence": { "id": "B", "type_id": 1 } } ],
              "special_tokens": { "<|begin_of_text|>": { "id": "<|begin_of_text|>", "ids": [ 260 ], "tokens": [ "<|begin_of_text|>" ] } }
            }
            """);
        var postProcessor = Sequence("processors", ByteLevel(), template!);
        var tokenizer = Load(Digits(ByteLevel(), postProcessor), """{"eos_token": "<|end_of_text|>"}""");
        Assert.IsTrue(tokenizer.AddBosToken);
        Assert.AreEqual(260, tokenizer.BosTokenId);
        Assert.AreEqual(261, tokenizer.EosTokenId);
        CollectionAssert.AreEqual(new[] { 260, 256, 258, '5' }, tokenizer.Encode("12345", addSpecialTokens: true));
        CollectionAssert.AreEqual(new[] { 256, 258, '5' }, tokenizer.Encode("12345"));

        var disabled = Load(Digits(ByteLevel(), postProcessor), """{"eos_token": "<|end_of_text|>", "add_bos_token": false}""");
        Assert.IsFalse(disabled.AddBosToken, "tokenizer_config.json add_bos_token overrides the template, as in transformers");

        var conflict = Assert.ThrowsExactly<InvalidDataException>(() =>
            Load(Digits(ByteLevel(), postProcessor), """{"eos_token": "<|end_of_text|>", "bos_token": "<|end_of_text|>"}"""));
        StringAssert.Contains(conflict.Message, "bos_token");
    }

    [TestMethod]
    public void DigitsPreTokenizerIsolatesDigits()
    {
        JsonObject Json(bool individually) => Create(extraTokens: ["12"], merges: ["1 2"], addedTokens: [(257, "<|endoftext|>", true)],
            preTokenizer: Sequence("pretokenizers", new JsonObject { ["type"] = "Digits", ["individual_digits"] = individually }, ByteLevel(useRegex: false)));
        CollectionAssert.AreEqual(new int[] { 'a', '1', '2' }, Load(Json(individually: true)).Encode("a12"));
        CollectionAssert.AreEqual(new int[] { 'a', 256 }, Load(Json(individually: false)).Encode("a12"));
    }

    [TestMethod]
    public void IgnoreMergesLooksUpWholeWordsFirst()
    {
        JsonObject Json(bool ignoreMerges) => Create(extraTokens: ["ab", "abc", "<|endoftext|>"], merges: ["a b"], ignoreMerges: ignoreMerges);
        // Merging "abc" ends at [ab, c]: no merge makes "abc", although the vocabulary has it.
        CollectionAssert.AreEqual(new[] { 256, 'c' }, Load(Json(ignoreMerges: false)).Encode("abc"));

        var wholeFirst = Load(Json(ignoreMerges: true));
        CollectionAssert.AreEqual(new[] { 257 }, wholeFirst.Encode("abc"));
        CollectionAssert.AreEqual(new int[] { 'c', 256 }, wholeFirst.Encode("cab"));
        // " abc" is not a token ("Ġabc" is not in the vocabulary), so it is merged.
        CollectionAssert.AreEqual(new[] { 257, ' ', 256, 'c', 258 }, wholeFirst.Encode("abc abc<|endoftext|>"));
        Assert.AreEqual("abc abc", wholeFirst.Decode(wholeFirst.Encode("abc abc<|endoftext|>")));
        CollectionAssert.AreEqual(new[] { 257, ' ' }, wholeFirst.Inner.EncodeToIds("abc abc", maxTokenCount: 2, out _, out var consumed).ToArray());
        Assert.AreEqual(4, consumed);
    }

    [TestMethod]
    public void AddPrefixSpaceStartsEveryPieceBetweenAddedTokensWithASpace()
    {
        var tokenizer = Load(Create(extraTokens: ["Ġh", "<|endoftext|>"], merges: ["Ġ h"], preTokenizer: ByteLevel(addPrefixSpace: true),
            addedTokens: [(258, "<|x|>", true)]));
        CollectionAssert.AreEqual(new[] { 256, 'i' }, tokenizer.Encode("hi"));
        CollectionAssert.AreEqual(new[] { 256, 'i' }, tokenizer.Encode(" hi"), "a text that starts with a space gets no second one");
        CollectionAssert.AreEqual(new[] { 256, 'i', 258, 256, 'i' }, tokenizer.Encode("hi<|x|>hi"));
        Assert.AreEqual(" hi", tokenizer.Decode(tokenizer.Encode("hi")));
    }

    [TestMethod]
    public void NormalizerSequenceApplies()
    {
        var nfd = Sequence("normalizers", new JsonObject { ["type"] = "NFD" });
        var tokenizer = Load(Create(extraTokens: ["<|endoftext|>"], normalizer: nfd));
        // é (U+00E9) decomposes to e + U+0301, whose UTF-8 bytes are CC 81.
        CollectionAssert.AreEqual(new int[] { 'e', 0xCC, 0x81 }, tokenizer.Encode("\u00e9"));
    }

    [TestMethod]
    public void EndOfTextInTheVocabularyIsTheDefaultEosAndMatchedWhole()
    {
        var tokenizer = Load(Create(extraTokens: ["<|endoftext|>"]));
        Assert.AreEqual(256, tokenizer.EosTokenId);
        CollectionAssert.AreEqual(new int[] { 'a', 256 }, tokenizer.Encode("a<|endoftext|>"));
        Assert.IsTrue(tokenizer.IsSpecial(256));
    }

    [TestMethod]
    public void UnknownTokenMayBeAnAddedToken()
    {
        var json = Create(addedTokens: [(256, "<|endoftext|>", true)]);
        json["model"]!["unk_token"] = "<|endoftext|>";
        var tokenizer = Load(json);
        CollectionAssert.AreEqual(new int[] { 'a', 256 }, tokenizer.Encode("a<|endoftext|>"));
        Assert.IsTrue(tokenizer.IsSpecial(256));
    }

    [TestMethod]
    public void SpecialTokensMapOverridesTokenizerConfig()
    {
        var json = Create(addedTokens: [(256, "<|a|>", true), (257, "<|b|>", true)]);
        using var folder = new TempDirectory();
        Write(folder, json, """{"eos_token": "<|a|>", "bos_token": {"content": "<|a|>", "__type": "AddedToken"}, "add_bos_token": true}""");
        File.WriteAllText(folder.File("special_tokens_map.json"), """{"eos_token": {"content": "<|b|>"}}""");
        var tokenizer = CausalLmTokenizer.FromPretrained(folder.Path);
        Assert.AreEqual(257, tokenizer.EosTokenId);
        Assert.AreEqual(256, tokenizer.BosTokenId);
        CollectionAssert.AreEqual(new[] { 256, 'x' }, tokenizer.Encode("x", addSpecialTokens: true));
    }

    [TestMethod]
    [DataRow("""{"eos_token": "<|zz|>"}""", "eos_token '<|zz|>'")]
    [DataRow("""{"eos_token": "<|a|>", "add_bos_token": true}""", "no bos_token")]
    [DataRow("""{"eos_token": 5}""", "eos_token")]
    [DataRow("""{"eos_token": "<|a|>", "added_tokens_decoder": {"300": {"content": "<|a|>", "special": true}}}""", "and 300 in ")]
    [DataRow("""{"eos_token": "<|a|>", "added_tokens_decoder": {"x": {"content": "<|c|>"}}}""", "must be a token id")]
    [DataRow("""{"eos_token": "<|a|>",""", "not valid JSON")]
    [DataRow("""{}""", "no EOS token")]
    public void BadConfigurationIsInvalidData(string tokenizerConfig, string expected)
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Load(Create(addedTokens: [(256, "<|a|>", true)]), tokenizerConfig));
        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public void ConfiguredPrefixSpaceMustAgreeWithTokenizerJson()
    {
        var error = Assert.ThrowsExactly<NotSupportedException>(() =>
            Load(Create(extraTokens: ["<|endoftext|>"]), """{"add_prefix_space": true}"""));
        StringAssert.Contains(error.Message, "add_prefix_space");
    }
}
