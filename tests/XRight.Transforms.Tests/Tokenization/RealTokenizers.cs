using System.Collections.Concurrent;
using System.Text.Json;
using XRight.Text;

namespace XRight.Tests.Tokenization;

/// <summary>
/// The real tokenizer files of the shared assets, each read once per test run, and the expected ids of
/// tokens looked up directly in those files (independently of the code under test).
/// </summary>
internal static class RealTokenizers
{
    public const string Gpt2Folder = "tokenizers/gpt2";
    public const string NeoXFolder = "tokenizers/gpt-neox-20b";

    private static readonly ConcurrentDictionary<string, CausalLmTokenizer> Loaded = new();
    private static readonly ConcurrentDictionary<string, Dictionary<string, int>> Vocabularies = new();

    /// <summary>GPT-2 (vocab.json + merges.txt); skips the test when the files are absent.</summary>
    public static CausalLmTokenizer Gpt2() => Load(Gpt2Folder);

    /// <summary>GPT-NeoX-20B (tokenizer.json); skips the test when the file is absent.</summary>
    public static CausalLmTokenizer NeoX() => Load(NeoXFolder);

    public static CausalLmTokenizer Load(string folder) => Loaded.GetOrAdd(SharedAssets.Require(folder), CausalLmTokenizer.FromPretrained);

    /// <summary>The ids of byte-level tokens (like "Ġworld") in GPT-2's vocab.json.</summary>
    public static int[] Gpt2Ids(params string[] tokens) => Lookup(SharedAssets.Require($"{Gpt2Folder}/vocab.json"), tokens);

    /// <summary>The ids of byte-level tokens in GPT-NeoX's tokenizer.json (model.vocab, then added_tokens).</summary>
    public static int[] NeoXIds(params string[] tokens) => Lookup(SharedAssets.Require($"{NeoXFolder}/tokenizer.json"), tokens);

    private static int[] Lookup(string file, string[] tokens)
    {
        var vocabulary = Vocabularies.GetOrAdd(file, ReadVocabulary);
        return tokens.Select(t => vocabulary.TryGetValue(t, out var id) ? id : throw new AssertFailedException($"'{t}' is not in {file}")).ToArray();
    }

    private static Dictionary<string, int> ReadVocabulary(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = document.RootElement;
        var isTokenizerJson = Path.GetFileName(file) == "tokenizer.json";
        var vocabulary = (isTokenizerJson ? root.GetProperty("model").GetProperty("vocab") : root).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        if (isTokenizerJson)
        {
            foreach (var added in root.GetProperty("added_tokens").EnumerateArray())
                vocabulary[added.GetProperty("content").GetString()!] = added.GetProperty("id").GetInt32();
        }
        return vocabulary;
    }
}
