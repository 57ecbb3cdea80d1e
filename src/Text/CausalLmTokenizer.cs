using XRight.IO;
using Microsoft.ML.Tokenizers;

namespace XRight.Text;

/// <summary>
/// The tokenizer of a causal language model, read from a local Hugging Face model folder and built on
/// Microsoft.ML.Tokenizers. It reads <c>tokenizer.json</c> (byte-level BPE: GPT-2, GPT-NeoX/Pythia,
/// Llama-3, Qwen2, SmolLM), <c>tokenizer.model</c> (SentencePiece: Llama 1/2, TinyLlama) and
/// <c>vocab.json</c> + <c>merges.txt</c> (GPT-2 layout), with the special tokens of
/// <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>. Options that would change the ids
/// and are not implemented are refused with <see cref="NotSupportedException"/>, never ignored.
/// </summary>
/// <remarks>
/// Added and special tokens written in a text (<c>&lt;|endoftext|&gt;</c>, <c>&lt;|im_start|&gt;</c>) are
/// matched as single ids, as Hugging Face tokenizers do. Decoding does no clean-up of spaces, so
/// <c>Decode(Encode(text), skipSpecialTokens: false)</c> gives the text back (after the tokenizer's
/// Unicode normalization, if it has one).
/// Without a configured EOS token, a byte-level vocabulary that has <c>&lt;|endoftext|&gt;</c> uses it
/// as EOS (the GPT-2 and GPT-NeoX convention). Instances are immutable and safe to share across threads.
/// </remarks>
public sealed class CausalLmTokenizer
{
    internal const string EndOfTextToken = "<|endoftext|>";
    internal const string PaddingToken = "<|padding|>";

    private readonly SpecialTokenRoles _roles;
    private readonly HashSet<int> _specialIds;
    private readonly IReadOnlyDictionary<string, byte[]> _modelFiles;
    private readonly byte[]? _configBytes;

    internal CausalLmTokenizer(
        Tokenizer inner, SpecialTokenRoles roles, HashSet<int> specialIds, int vocabSize,
        IReadOnlyDictionary<string, byte[]> modelFiles, byte[]? configBytes)
    {
        Inner = inner;
        _roles = roles;
        _specialIds = specialIds;
        VocabSize = vocabSize;
        _modelFiles = modelFiles;
        _configBytes = configBytes;
    }

    /// <summary>Reads the tokenizer of the Hugging Face model folder <paramref name="folder"/>.</summary>
    /// <param name="folder">A folder with <c>tokenizer.json</c>, <c>tokenizer.model</c>, or <c>vocab.json</c> and <c>merges.txt</c>.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder holds no tokenizer files, or only one of <c>vocab.json</c> and <c>merges.txt</c>.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or contradicts another; the message names the file and the entry.</exception>
    /// <exception cref="NotSupportedException">The tokenizer uses a model type or option that is not implemented.</exception>
    public static CausalLmTokenizer FromPretrained(string folder) => TokenizerLoader.Load(TokenizerSource.FromFolder(folder));

    /// <summary>
    /// The built-in tokenizer for tiny models and tests: ids 0-255 are the 256 bytes of the UTF-8 text,
    /// 256 is <c>&lt;|endoftext|&gt;</c> (EOS; there is no BOS) and 257 is <c>&lt;|padding|&gt;</c> (pad).
    /// It is a byte-level BPE without merges, so <see cref="SaveTo"/> writes a standard <c>tokenizer.json</c>.
    /// </summary>
    public static CausalLmTokenizer CreateByteLevel() => TokenizerLoader.Load(BuiltInByteLevelFiles.Source());

    /// <summary>
    /// The Microsoft.ML.Tokenizers tokenizer underneath. It encodes and decodes without adding BOS or EOS;
    /// prefer <see cref="Encode"/> and <see cref="Decode"/>, which add them and skip special tokens as configured.
    /// </summary>
    public Tokenizer Inner { get; }

    /// <summary>The number of ids: the largest id plus one, added tokens included.</summary>
    public int VocabSize { get; }

    /// <summary>The id of the end-of-sequence token.</summary>
    public int EosTokenId => _roles.Eos.Id;

    /// <summary>The text of the end-of-sequence token.</summary>
    public string EosToken => _roles.Eos.Content;

    /// <summary>The id of the beginning-of-sequence token, or null when the tokenizer has none.</summary>
    public int? BosTokenId => _roles.Bos?.Id;

    /// <summary>The text of the beginning-of-sequence token, or null when the tokenizer has none.</summary>
    public string? BosToken => _roles.Bos?.Content;

    /// <summary>
    /// The id to pad batches with: the configured pad token, or else the EOS token (as TRL does).
    /// Padding positions are masked out of attention and loss, so the choice does not change results.
    /// </summary>
    public int PadTokenId => (_roles.Pad ?? _roles.Eos).Id;

    /// <summary>Whether <see cref="Encode"/> with <c>addSpecialTokens: true</c> puts <see cref="BosTokenId"/> first.</summary>
    public bool AddBosToken => _roles.AddBos;

    /// <summary>Whether <see cref="Encode"/> with <c>addSpecialTokens: true</c> puts <see cref="EosTokenId"/> last.</summary>
    public bool AddEosToken => _roles.AddEos;

    /// <summary>The ids of <paramref name="text"/>.</summary>
    /// <param name="text">The text; special and added tokens written in it are matched as single ids.</param>
    /// <param name="addSpecialTokens">Whether to add BOS and EOS as <see cref="AddBosToken"/> and <see cref="AddEosToken"/> say.</param>
    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = Inner.EncodeToIds(text);
        var addBos = addSpecialTokens && AddBosToken;
        var addEos = addSpecialTokens && AddEosToken;
        var result = new int[ids.Count + (addBos ? 1 : 0) + (addEos ? 1 : 0)];
        var position = 0;
        if (addBos) result[position++] = _roles.Bos!.Value.Id;
        for (var i = 0; i < ids.Count; i++) result[position++] = ids[i];
        if (addEos) result[position] = EosTokenId;
        return result;
    }

    /// <summary>The text of <paramref name="ids"/>.</summary>
    /// <param name="ids">Token ids, each in [0, <see cref="VocabSize"/>).</param>
    /// <param name="skipSpecialTokens">Whether to leave out the ids for which <see cref="IsSpecial"/> is true.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside [0, <see cref="VocabSize"/>).</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var kept = new List<int>();
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary [0, {VocabSize}).");
            if (!skipSpecialTokens || !_specialIds.Contains(id)) kept.Add(id);
        }
        // SentencePieceTokenizer drops special tokens unless asked not to; which to drop was decided above.
        return Inner is SentencePieceTokenizer sentencePiece ? sentencePiece.Decode(kept, considerSpecialTokens: true) : Inner.Decode(kept);
    }

    /// <summary>
    /// Whether <paramref name="id"/> is a special token: BOS, EOS, pad or unknown, or an added token
    /// marked special (chat markers). These are the ids that <see cref="Decode"/> skips by default.
    /// </summary>
    public bool IsSpecial(int id) => _specialIds.Contains(id);

    /// <summary>
    /// Writes the tokenizer to <paramref name="folder"/> in the Hugging Face layout, so that
    /// <see cref="FromPretrained"/> on it gives an identical tokenizer. Files read from disk are written
    /// back byte for byte; <c>tokenizer_config.json</c> keeps its other settings and gets the special
    /// tokens and BOS/EOS flags in use, and <c>special_tokens_map.json</c> lists the special tokens.
    /// </summary>
    /// <param name="folder">The folder; it is created when missing.</param>
    /// <exception cref="IOException">The folder already holds tokenizer files of a different tokenizer, which would be read instead.</exception>
    public void SaveTo(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var foreign = TokenizerLoader.ModelFileNames.Where(n => !_modelFiles.ContainsKey(n) && File.Exists(Path.Combine(folder, n))).ToList();
        if (foreign.Count > 0)
            throw new IOException($"{Path.GetFullPath(folder)} already holds {string.Join(", ", foreign)} of another tokenizer, which would be read instead of this one; save into an empty folder.");
        AtomicFile.WriteAll(ToFiles().Select(f => (Path.Combine(folder, f.Key), (Action<Stream>)(stream => stream.Write(f.Value)))).ToArray());
    }

    /// <summary>The files <see cref="SaveTo"/> writes, by name (for model zips, which carry the tokenizer).</summary>
    internal IReadOnlyDictionary<string, byte[]> ToFiles()
    {
        var files = new Dictionary<string, byte[]>(_modelFiles, StringComparer.Ordinal)
        {
            [TokenizerSource.TokenizerConfigJson] = TokenizerConfig.Render(_configBytes, _roles),
            [TokenizerSource.SpecialTokensMapJson] = TokenizerConfig.RenderSpecialTokensMap(_roles),
        };
        return files;
    }

    /// <summary>Reads a tokenizer from files kept in memory, as <see cref="ToFiles"/> gives them.</summary>
    internal static CausalLmTokenizer FromFiles(string description, IReadOnlyDictionary<string, byte[]> files)
        => TokenizerLoader.Load(TokenizerSource.InMemory(description, files));
}
