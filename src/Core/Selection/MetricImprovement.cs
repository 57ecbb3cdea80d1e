using System.Globalization;

namespace XRight.Selection;

/// <summary>
/// ∆m% (eq. 52) of a candidate against its paired Sequential run over a chosen set of metrics, each with its
/// direction: <c>(1/M) Σ_m (−1)^ℓ_m (S_A,m − S_B,m) / S_B,m × 100</c>.
/// </summary>
/// <param name="Metrics">The metrics, as <see cref="SelectionMetric.ToString"/> writes them ("mmlu/acc ↑").</param>
/// <param name="Percent">∆m%; null when it is undefined (see <paramref name="Undefined"/>).</param>
/// <param name="Undefined">Why ∆m% is undefined (a Sequential value of 0, a value that is not finite); null when it is defined.</param>
public sealed record MetricImprovement(IReadOnlyList<string> Metrics, double? Percent, string? Undefined)
{
    /// <summary>∆m% of <paramref name="candidate"/> against <paramref name="sequential"/>; both must have every metric.</summary>
    internal static MetricImprovement Between(SelectionCandidate candidate, SelectionCandidate sequential, IReadOnlyList<SelectionMetric> metrics)
    {
        var names = metrics.Select(m => m.ToString()).ToArray();
        var comparisons = metrics.Select(m => new MetricComparison(m.Name,
            m.ValueOf(candidate) ?? throw Missing(m, candidate),
            m.ValueOf(sequential) ?? throw Missing(m, sequential),
            m.LowerIsBetter)).ToArray();
        // A rate of 0 for the Sequential run (no refusals, no right answers) leaves the relative change undefined:
        // the report says so for this pair instead of failing the whole selection.
        var bad = comparisons.FirstOrDefault(c => !double.IsFinite(c.Value) || !double.IsFinite(c.Baseline) || c.Baseline == 0);
        if (bad.Name is not null)
        {
            var why = bad.Baseline == 0
                ? $"'{sequential.Name}' has {bad.Name} = 0, so the relative change is undefined"
                : string.Create(CultureInfo.InvariantCulture, $"{bad.Name} is not finite ({bad.Value} for '{candidate.Name}', {bad.Baseline} for '{sequential.Name}')");
            return new MetricImprovement(names, null, why);
        }
        return new MetricImprovement(names, OverallImprovement.Percent(comparisons), null);
    }

    private static ArgumentException Missing(SelectionMetric metric, SelectionCandidate candidate) =>
        new($"∆m% reads the metric '{metric.Name}', which was not evaluated for candidate '{candidate.Name}'; its metrics are: {string.Join(", ", SelectionMetric.NamesOf(candidate))}.");
}
