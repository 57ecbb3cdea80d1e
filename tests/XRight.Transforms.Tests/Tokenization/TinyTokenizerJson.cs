using System.Text.Json.Nodes;
using XRight.Text;

namespace XRight.Tests.Tokenization;

/// <summary>
/// Small byte-level <c>tokenizer.json</c> files for tests: ids 0-255 are the bytes (in the GPT-2
/// byte-level alphabet, so the token for a printable ASCII character is the character itself and a
/// space is "Ġ"), further tokens and merges as given.
/// </summary>
internal static class TinyTokenizerJson
{
    /// <summary>The byte-level token of each byte (the GPT-2 alphabet, checked by the GPT-2 golden-id tests).</summary>
    public static readonly string[] ByteTokens = Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.ToChar((byte)b).ToString()).ToArray();

    public static JsonObject Create(
        IEnumerable<string>? extraTokens = null, IEnumerable<string>? merges = null,
        JsonNode? preTokenizer = null, JsonNode? normalizer = null, JsonNode? postProcessor = null,
        IEnumerable<(int Id, string Content, bool Special)>? addedTokens = null, bool ignoreMerges = false)
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++) vocab[ByteTokens[b]] = b;
        var next = 256;
        foreach (var token in extraTokens ?? []) vocab[token] = next++;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray((addedTokens ?? []).Select(t => (JsonNode)new JsonObject
            {
                ["id"] = t.Id, ["content"] = t.Content, ["single_word"] = false, ["lstrip"] = false,
                ["rstrip"] = false, ["normalized"] = !t.Special, ["special"] = t.Special,
            }).ToArray()),
            // Copies, so one node can serve several files.
            ["normalizer"] = normalizer?.DeepClone(),
            ["pre_tokenizer"] = preTokenizer?.DeepClone() ?? ByteLevel(),
            ["post_processor"] = postProcessor?.DeepClone(),
            ["decoder"] = ByteLevel(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false,
                ["ignore_merges"] = ignoreMerges, ["vocab"] = vocab,
                ["merges"] = new JsonArray((merges ?? []).Select(m => (JsonNode)m).ToArray()),
            },
        };
    }

    public static JsonObject ByteLevel(bool addPrefixSpace = false, bool useRegex = true) => new()
    {
        ["type"] = "ByteLevel", ["add_prefix_space"] = addPrefixSpace, ["trim_offsets"] = true, ["use_regex"] = useRegex,
    };

    public static JsonObject Split(string regex, string behavior = "Isolated", bool invert = false) => new()
    {
        ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = regex }, ["behavior"] = behavior, ["invert"] = invert,
    };

    public static JsonObject Sequence(string listName, params JsonNode[] steps) => new()
    {
        ["type"] = "Sequence", [listName] = new JsonArray(steps),
    };

    /// <summary>Writes <paramref name="json"/> (and a tokenizer_config.json when given) into the folder.</summary>
    public static string Write(TempDirectory folder, JsonNode json, string? tokenizerConfig = null)
    {
        File.WriteAllText(folder.File("tokenizer.json"), json.ToJsonString());
        if (tokenizerConfig is not null) File.WriteAllText(folder.File("tokenizer_config.json"), tokenizerConfig);
        return folder.Path;
    }
}
