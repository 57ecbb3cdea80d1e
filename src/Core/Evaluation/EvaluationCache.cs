using System.Text.Json;
using XRight.IO;

namespace XRight.Evaluation;

/// <summary>
/// Benchmark results kept in one JSON file, keyed by the content of what produced them: the model's
/// fingerprint (<see cref="Fingerprint"/>), the benchmark's name and its settings (which include the data's
/// hash). An evaluation that is interrupted and run again finds the benchmarks already done and skips them;
/// a changed model, setting or data set gets a new key. The file is rewritten atomically after each result.
/// </summary>
/// <remarks>Not safe for concurrent writers: give each evaluation process its own file.</remarks>
public sealed class EvaluationCache
{
    private readonly Dictionary<string, CacheEntry> _entries;

    /// <summary>A cache in <paramref name="path"/>; an existing file is read, a missing one is created on the first result.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a cache file.</exception>
    public EvaluationCache(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _entries = File.Exists(path) ? Read(path) : new Dictionary<string, CacheEntry>(StringComparer.Ordinal);
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>How many results the cache holds.</summary>
    public int Count => _entries.Count;

    /// <summary>The key of a result: a SHA-256 over the model fingerprint, the benchmark name and the settings (in key order).</summary>
    public static string Key(string modelFingerprint, string benchmark, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(modelFingerprint);
        ArgumentNullException.ThrowIfNull(benchmark);
        ArgumentNullException.ThrowIfNull(settings);
        var parts = new List<string> { modelFingerprint, benchmark };
        foreach (var (key, value) in settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            parts.Add(key);
            parts.Add(value);
        }
        return Fingerprint.Combine([.. parts]);
    }

    /// <summary>The cached result under <paramref name="key"/>, if any.</summary>
    public bool TryGet(string key, out BenchmarkResult result)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_entries.TryGetValue(key, out var entry))
        {
            result = entry.Result;
            return true;
        }
        result = null!;
        return false;
    }

    /// <summary>Stores <paramref name="result"/> under <paramref name="key"/> and rewrites the file.</summary>
    public void Set(string key, string modelFingerprint, BenchmarkResult result)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(modelFingerprint);
        ArgumentNullException.ThrowIfNull(result);
        _entries[key] = new CacheEntry { Model = modelFingerprint, Result = result };
        AtomicFile.WriteAllText(Path, JsonSerializer.Serialize(new CacheFile { Entries = _entries }, JsonFile.IndentedWithNamedFloats));
    }

    /// <summary>
    /// The cached result of <paramref name="benchmark"/> with <paramref name="settings"/> for the model of
    /// <paramref name="modelFingerprint"/>, or else the result of <paramref name="evaluate"/>, which is then stored.
    /// </summary>
    public BenchmarkResult GetOrEvaluate(string modelFingerprint, string benchmark, IReadOnlyDictionary<string, string> settings, Func<BenchmarkResult> evaluate)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        var key = Key(modelFingerprint, benchmark, settings);
        if (TryGet(key, out var cached)) return cached;
        var result = evaluate();
        Set(key, modelFingerprint, result);
        return result;
    }

    private static Dictionary<string, CacheEntry> Read(string path)
    {
        try
        {
            var file = JsonSerializer.Deserialize<CacheFile>(File.ReadAllText(path), JsonFile.IndentedWithNamedFloats)
                ?? throw new InvalidDataException($"{path}: an evaluation cache must be a JSON object.");
            if (file.Version != CacheFile.CurrentVersion) throw new InvalidDataException($"{path}: evaluation cache version {file.Version} is not {CacheFile.CurrentVersion}.");
            return new Dictionary<string, CacheEntry>(file.Entries, StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an evaluation cache ({e.Message}).", e);
        }
    }

    private sealed class CacheFile
    {
        public const int CurrentVersion = 1;

        public int Version { get; init; } = CurrentVersion;

        public required Dictionary<string, CacheEntry> Entries { get; init; }
    }

    private sealed class CacheEntry
    {
        public required string Model { get; init; }

        public required BenchmarkResult Result { get; init; }
    }
}
