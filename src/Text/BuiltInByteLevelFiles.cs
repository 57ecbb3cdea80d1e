using System.Text.Json;
using System.Text.Json.Nodes;
using XRight.IO;

namespace XRight.Text;

/// <summary>
/// The files of the built-in tokenizer for tiny models: a byte-level BPE without merges, so ids 0-255
/// are the 256 bytes, then 256 = <c>&lt;|endoftext|&gt;</c> (EOS) and 257 = <c>&lt;|padding|&gt;</c> (pad).
/// They are ordinary Hugging Face files, read by the same code as files on disk.
/// </summary>
internal static class BuiltInByteLevelFiles
{
    private const int EndOfTextId = 256;
    private const int PaddingId = 257;

    public static TokenizerSource Source() => TokenizerSource.InMemory("built-in byte-level tokenizer", new Dictionary<string, byte[]>
    {
        [TokenizerSource.TokenizerJson] = JsonSerializer.SerializeToUtf8Bytes(TokenizerJson(), JsonFile.IndentedReadable),
        [TokenizerSource.TokenizerConfigJson] = JsonSerializer.SerializeToUtf8Bytes(TokenizerConfigJson(), JsonFile.IndentedReadable),
    });

    private static JsonObject TokenizerJson()
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++) vocab[ByteLevelAlphabet.ToChar((byte)b).ToString()] = b;
        JsonObject ByteLevel() => new() { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(Special(EndOfTextId, CausalLmTokenizer.EndOfTextToken), Special(PaddingId, CausalLmTokenizer.PaddingToken)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = ByteLevel(),
            ["post_processor"] = ByteLevel(),
            ["decoder"] = ByteLevel(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(),
            },
        };
    }

    private static JsonObject Special(int id, string content) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = false,
        ["lstrip"] = false,
        ["rstrip"] = false,
        ["normalized"] = false,
        ["special"] = true,
    };

    private static JsonObject TokenizerConfigJson() => new()
    {
        ["tokenizer_class"] = "PreTrainedTokenizerFast",
        ["bos_token"] = null,
        ["eos_token"] = CausalLmTokenizer.EndOfTextToken,
        ["pad_token"] = CausalLmTokenizer.PaddingToken,
        ["unk_token"] = null,
        ["add_bos_token"] = false,
        ["add_eos_token"] = false,
    };
}
