using System.Globalization;

namespace XRight.Selection;

/// <summary>
/// A quantity a selection rule or ∆m% reads for each candidate, with its direction. The objectives
/// (<see cref="FDpo"/>, <see cref="FSft"/>), the quantities the selection stage derives from them
/// (<see cref="DpoGap"/>, <see cref="SftGap"/>, <see cref="IdealDistance"/>, <see cref="DeltaM"/>), or a
/// benchmark metric named <c>"&lt;benchmark&gt;/&lt;metric&gt;"</c> (<see cref="Benchmark"/>), for example
/// <c>"mmlu/acc"</c>, read from <see cref="SelectionCandidate.Benchmarks"/>.
/// </summary>
/// <param name="Name">The metric's name; a benchmark metric's is its benchmark's name, '/', and the metric's key.</param>
/// <param name="LowerIsBetter">True for losses, gaps and harmful rates (ℓ_m = 1 in eq. 52); false for accuracies and win rates.</param>
public sealed record SelectionMetric(string Name, bool LowerIsBetter)
{
    /// <summary>The held-out DPO objective f_DPO (lower is better).</summary>
    public static SelectionMetric FDpo { get; } = new("f_DPO", LowerIsBetter: true);

    /// <summary>The held-out SFT objective f_SFT (lower is better).</summary>
    public static SelectionMetric FSft { get; } = new("f_SFT", LowerIsBetter: true);

    /// <summary>f_DPO − f*_DPO (lower is better); a rule may read it, ∆m% may not.</summary>
    public static SelectionMetric DpoGap { get; } = new("DPO gap", LowerIsBetter: true);

    /// <summary>f_SFT − f*_SFT (lower is better); a rule may read it, ∆m% may not.</summary>
    public static SelectionMetric SftGap { get; } = new("SFT gap", LowerIsBetter: true);

    /// <summary>The distance to the ideal point (lower is better); a rule may read it, ∆m% may not.</summary>
    public static SelectionMetric IdealDistance { get; } = new("ideal distance", LowerIsBetter: true);

    /// <summary>
    /// ∆m% against the paired Sequential run (higher is better): over <see cref="ParetoSelectionOptions.ImprovementMetrics"/>
    /// when set, else over f_DPO and f_SFT. A Sequential run is its own baseline (0); a joint candidate without
    /// a paired run, or whose ∆m% is undefined, has none, and a rule that reads it counts such a candidate as
    /// not satisfying the rule.
    /// </summary>
    public static SelectionMetric DeltaM { get; } = new("∆m%", LowerIsBetter: false);

    /// <summary>The two objectives, ∆m%'s metrics when no others are given.</summary>
    public static IReadOnlyList<SelectionMetric> Objectives { get; } = [FDpo, FSft];

    /// <summary>The metric <paramref name="metric"/> of the benchmark named <paramref name="benchmark"/>: <c>"mmlu/acc"</c>.</summary>
    /// <exception cref="ArgumentException">The benchmark name is empty or holds '/', or the metric name is empty.</exception>
    public static SelectionMetric Benchmark(string benchmark, string metric, bool lowerIsBetter = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(benchmark);
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        if (benchmark.Contains('/', StringComparison.Ordinal))
            throw new ArgumentException($"A benchmark name must not contain '/'; found '{benchmark}'.", nameof(benchmark));
        return new SelectionMetric(benchmark + "/" + metric, lowerIsBetter);
    }

    /// <summary>True for the quantities derived from the ideal point or the Sequential pairing (gaps, distance, ∆m%), which ∆m% cannot be taken over.</summary>
    internal bool IsDerived => Name == DpoGap.Name || Name == SftGap.Name || Name == IdealDistance.Name || Name == DeltaM.Name;

    /// <summary>"mmlu/acc ↑" or "f_DPO ↓".</summary>
    public override string ToString() => Name + (LowerIsBetter ? " ↓" : " ↑");

    /// <summary>The value of a candidate-level metric (an objective or a benchmark metric); null when the candidate lacks it.</summary>
    internal double? ValueOf(SelectionCandidate candidate)
    {
        if (Name == FDpo.Name) return candidate.FDpo;
        if (Name == FSft.Name) return candidate.FSft;
        int slash = Name.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) return null;
        return candidate.Benchmarks.TryGetValue(Name[..slash], out var result) && result.Metrics.TryGetValue(Name[(slash + 1)..], out var value)
            ? value
            : null;
    }

    /// <summary>The value on a report row (derived quantities included); null when the candidate lacks it.</summary>
    internal double? ValueOf(CandidateAssessment row)
    {
        if (Name == DpoGap.Name) return row.DpoGap;
        if (Name == SftGap.Name) return row.SftGap;
        if (Name == IdealDistance.Name) return row.IdealDistance;
        if (Name == DeltaM.Name)
            return row.Candidate.IsSequential ? 0 : row.VersusSequential is { } versus ? (versus.Overall is { } overall ? overall.Percent : versus.DeltaMPercent) : null;
        return ValueOf(row.Candidate);
    }

    /// <summary>The names of the candidate-level metrics <paramref name="candidate"/> has: the objectives, then its benchmarks' metrics.</summary>
    internal static IEnumerable<string> NamesOf(SelectionCandidate candidate) =>
        Objectives.Select(m => m.Name).Concat(candidate.Benchmarks
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .SelectMany(b => b.Value.Metrics.Keys.Order(StringComparer.Ordinal).Select(k => b.Key + "/" + k)));

    /// <summary>Throws when a candidate-level metric is missing on some candidate, naming both and what the candidate has.</summary>
    internal static void CheckPresent(IEnumerable<SelectionMetric> metrics, IReadOnlyList<SelectionCandidate> candidates, string user)
    {
        foreach (var metric in metrics)
        {
            if (metric.IsDerived) continue;
            var lacking = candidates.FirstOrDefault(c => metric.ValueOf(c) is null);
            if (lacking is not null)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{user} reads the metric '{metric.Name}', which was not evaluated for candidate '{lacking.Name}'; its metrics are: {string.Join(", ", NamesOf(lacking))}."));
        }
    }
}
