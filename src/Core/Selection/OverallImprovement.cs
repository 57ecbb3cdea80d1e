namespace XRight.Selection;

/// <summary>
/// The overall improvement ∆m% of the paper (eq. 52):
/// <c>(1/M) Σ_m (−1)^ℓ_m (S_A,m − S_B,m) / S_B,m × 100</c>, the mean relative change over M metrics,
/// signed so that a positive value is an improvement.
/// </summary>
public static class OverallImprovement
{
    /// <summary>∆m% of a method against its baseline over the given metrics.</summary>
    /// <exception cref="ArgumentException">No metrics, a value that is not finite, or a zero baseline.</exception>
    public static double Percent(IReadOnlyList<MetricComparison> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Count == 0)
            throw new ArgumentException("∆m% needs at least one metric; none were given.", nameof(metrics));

        var sum = 0.0;
        foreach (var m in metrics)
        {
            if (!double.IsFinite(m.Value) || !double.IsFinite(m.Baseline))
                throw new ArgumentException($"Metric '{m.Name}': expected finite values, found {m.Value} (method) and {m.Baseline} (baseline).", nameof(metrics));
            if (m.Baseline == 0)
                throw new ArgumentException($"Metric '{m.Name}': the baseline value is 0, so the relative change is undefined.", nameof(metrics));
            var relative = (m.Value - m.Baseline) / m.Baseline;
            sum += m.LowerIsBetter ? -relative : relative;
        }
        return sum / metrics.Count * 100;
    }
}
