using System.Text.Json;
using XRight.IO;

namespace XRight.Evaluation;

/// <summary>
/// The outcome of one benchmark run: its metrics (accuracies, rates), the counts behind them, and the
/// settings that produced them (prompt format, shots, generation settings, the data's hash …). Equality
/// compares every entry; <see cref="ToJson"/> and <see cref="FromJson"/> round-trip it exactly.
/// </summary>
public sealed record BenchmarkResult
{
    /// <summary>The benchmark's name, e.g. <c>mmlu</c>, <c>hellaswag</c>, <c>xstest</c>, <c>reward_win_rate</c>.</summary>
    public required string Benchmark { get; init; }

    /// <summary>The metrics by name, e.g. <c>acc</c> and <c>acc_norm</c> (fractions in [0, 1]).</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>The counts by name, e.g. <c>questions</c> and <c>correct</c>.</summary>
    public required IReadOnlyDictionary<string, long> Counts { get; init; }

    /// <summary>The settings by name, as text (numbers in invariant culture).</summary>
    public required IReadOnlyDictionary<string, string> Settings { get; init; }

    /// <summary>The result as indented JSON; NaN and ±Infinity are written as named literals.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonFile.IndentedWithNamedFloats);

    /// <summary>Reads a result written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not such a result.</exception>
    public static BenchmarkResult FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<BenchmarkResult>(json, JsonFile.IndentedWithNamedFloats)
                ?? throw new InvalidDataException("A benchmark result must be a JSON object, found null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not a benchmark result: {e.Message}", e);
        }
    }

    /// <summary>True when the benchmark names and every metric, count and setting are equal (metrics compared bit for bit, NaN equal to NaN).</summary>
    public bool Equals(BenchmarkResult? other) =>
        other is not null
        && Benchmark == other.Benchmark
        && SameEntries(Metrics, other.Metrics, (a, b) => a.Equals(b))
        && SameEntries(Counts, other.Counts, (a, b) => a == b)
        && SameEntries(Settings, other.Settings, string.Equals);

    /// <summary>A hash consistent with <see cref="Equals(BenchmarkResult?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Benchmark, Metrics.Count, Counts.Count, Settings.Count);

    private static bool SameEntries<T>(IReadOnlyDictionary<string, T> a, IReadOnlyDictionary<string, T> b, Func<T, T, bool> equal) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var value) && equal(kv.Value, value));
}
