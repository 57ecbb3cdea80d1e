namespace XRight.Text;

/// <summary>
/// The files a tokenizer is read from: a Hugging Face model folder on disk, or files made in memory
/// (the built-in tokenizer), so both go through the same reader.
/// </summary>
internal sealed class TokenizerSource
{
    public const string TokenizerJson = "tokenizer.json";
    public const string TokenizerModel = "tokenizer.model";
    public const string VocabJson = "vocab.json";
    public const string MergesTxt = "merges.txt";
    public const string TokenizerConfigJson = "tokenizer_config.json";
    public const string SpecialTokensMapJson = "special_tokens_map.json";
    public const string AddedTokensJson = "added_tokens.json";

    private readonly string? _folder;
    private readonly IReadOnlyDictionary<string, byte[]>? _files;
    private readonly Dictionary<string, byte[]> _read = new(StringComparer.Ordinal);

    private TokenizerSource(string location, string? folder, IReadOnlyDictionary<string, byte[]>? files)
    {
        Location = location;
        _folder = folder;
        _files = files;
    }

    /// <summary>Where the files are, for messages: the folder path or a description.</summary>
    public string Location { get; }

    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static TokenizerSource FromFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException(File.Exists(full)
                ? $"'{full}' is a file; pass the model folder that holds the tokenizer files."
                : $"Tokenizer folder '{full}' does not exist.");
        }
        return new TokenizerSource(full, full, null);
    }

    public static TokenizerSource InMemory(string description, IReadOnlyDictionary<string, byte[]> files) => new(description, null, files);

    public bool Has(string name) => _files?.ContainsKey(name) ?? File.Exists(Path.Combine(_folder!, name));

    /// <summary>The bytes of a file; each file is read from disk once.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public byte[] Read(string name)
    {
        if (_files is not null)
            return _files.TryGetValue(name, out var bytes) ? bytes : throw new FileNotFoundException($"{Location} has no {name}.", name);
        if (_read.TryGetValue(name, out var cached)) return cached;
        var path = Path.Combine(_folder!, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"Tokenizer file '{path}' does not exist.", path);
        return _read[name] = File.ReadAllBytes(path);
    }

    /// <summary>The name of the file for messages.</summary>
    public string PathOf(string name) => _folder is null ? $"{Location}/{name}" : Path.Combine(_folder, name);
}
