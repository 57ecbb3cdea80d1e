namespace XRight.Selection;

/// <summary>
/// A joint candidate measured against its matching Sequential run B. Resources follow the paper
/// (Appendix B.5): increase % = (A − B) / B × 100 and efficiency = (A / B)⁻¹, so an efficiency above 1
/// means cheaper than Sequential. The objectives are summarised by ∆m% (eq. 52) over f_DPO and f_SFT.
/// </summary>
/// <param name="Baseline">The name of the matching Sequential run.</param>
/// <param name="DeltaMPercent">∆m% over f_DPO and f_SFT (both lower-is-better); positive means better than Sequential.</param>
/// <param name="RuntimeIncreasePercent">Runtime increase in percent.</param>
/// <param name="PeakMemoryIncreasePercent">Peak-memory increase in percent.</param>
/// <param name="UtilizationIncreasePercent">Accelerator-utilization increase in percent; null unless both runs measured it.</param>
public sealed record SequentialComparison(
    string Baseline,
    double DeltaMPercent,
    double RuntimeIncreasePercent,
    double PeakMemoryIncreasePercent,
    double? UtilizationIncreasePercent)
{
    /// <summary>
    /// ∆m% over <see cref="ParetoSelectionOptions.ImprovementMetrics"/> (objectives and benchmark metrics) against
    /// the same Sequential run; null when no such metrics were asked for.
    /// </summary>
    public MetricImprovement? Overall { get; init; }

    /// <summary>Runtime efficiency: Sequential runtime / candidate runtime.</summary>
    public double RuntimeEfficiency => Efficiency(RuntimeIncreasePercent);

    /// <summary>Peak-memory efficiency: Sequential peak / candidate peak.</summary>
    public double PeakMemoryEfficiency => Efficiency(PeakMemoryIncreasePercent);

    /// <summary>Utilization efficiency: Sequential utilization / candidate utilization; null when not measured.</summary>
    public double? UtilizationEfficiency => UtilizationIncreasePercent is { } increase ? Efficiency(increase) : null;

    /// <summary>
    /// Compares <paramref name="candidate"/> with <paramref name="sequential"/>. Both were validated:
    /// positive runtime, memory and utilization, finite objectives.
    /// </summary>
    /// <exception cref="InvalidOperationException">An objective of the Sequential run is 0, so ∆m% is undefined.</exception>
    internal static SequentialComparison Between(SelectionCandidate candidate, SelectionCandidate sequential, IReadOnlyList<SelectionMetric>? metrics = null)
    {
        double deltaM;
        try
        {
            deltaM = OverallImprovement.Percent(
            [
                new MetricComparison("f_DPO", candidate.FDpo, sequential.FDpo, LowerIsBetter: true),
                new MetricComparison("f_SFT", candidate.FSft, sequential.FSft, LowerIsBetter: true),
            ]);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"Cannot compare candidate '{candidate.Name}' with its Sequential run '{sequential.Name}': {e.Message}", e);
        }

        return new SequentialComparison(
            sequential.Name,
            deltaM,
            IncreasePercent(candidate.RuntimeSeconds, sequential.RuntimeSeconds),
            IncreasePercent(candidate.PeakMemoryBytes, sequential.PeakMemoryBytes),
            candidate.GpuUtilizationPercent is { } a && sequential.GpuUtilizationPercent is { } b
                ? IncreasePercent(a, b)
                : null)
        {
            Overall = metrics is null ? null : MetricImprovement.Between(candidate, sequential, metrics),
        };
    }

    private static double IncreasePercent(double value, double baseline) => (value - baseline) / baseline * 100;

    // A / B = 1 + increase / 100, and efficiency is its inverse.
    private static double Efficiency(double increasePercent) => 100 / (100 + increasePercent);
}
