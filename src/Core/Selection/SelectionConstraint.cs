using System.Globalization;

namespace XRight.Selection;

/// <summary>A bound on one metric that a candidate must respect to be chosen by <see cref="SelectionRule.Best"/>.</summary>
/// <param name="Metric">The bounded metric (an objective, a gap, the ideal distance, ∆m% or a benchmark metric).</param>
/// <param name="Bound">The bound.</param>
/// <param name="IsUpperBound">True for metric ≤ bound, false for metric ≥ bound.</param>
public sealed record SelectionConstraint(SelectionMetric Metric, double Bound, bool IsUpperBound)
{
    /// <summary>metric ≤ <paramref name="bound"/>, for example a DPO gap of at most 0.1.</summary>
    public static SelectionConstraint AtMost(SelectionMetric metric, double bound) => new(metric, bound, IsUpperBound: true);

    /// <summary>metric ≥ <paramref name="bound"/>, for example an XSTest compliance rate of at least 0.9.</summary>
    public static SelectionConstraint AtLeast(SelectionMetric metric, double bound) => new(metric, bound, IsUpperBound: false);

    /// <summary>"DPO gap ≤ 0.1".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Metric?.Name} {(IsUpperBound ? "≤" : "≥")} {Bound}");

    /// <summary>How far <paramref name="value"/> misses the bound; 0 when it respects it.</summary>
    internal double Violation(double value) => Math.Max(0, IsUpperBound ? value - Bound : Bound - value);
}
