namespace XRight.Selection;

/// <summary>How <see cref="ParetoSelection.Analyze"/> measures a sweep and chooses a model.</summary>
public sealed class ParetoSelectionOptions
{
    /// <summary>The rule that chooses the model, for example <see cref="SelectionRule.MinIdealDistance"/>.</summary>
    public required SelectionRule Rule { get; init; }

    /// <summary>
    /// f*_DPO, from independent DPO-only training for the same budget (the paper's approach). Null:
    /// estimated as the smallest f_DPO among the candidates, and the report says so.
    /// </summary>
    public double? DpoOptimum { get; init; }

    /// <summary>f*_SFT, from independent SFT-only training for the same budget. Null: estimated as the smallest f_SFT among the candidates.</summary>
    public double? SftOptimum { get; init; }

    /// <summary>How a given <see cref="DpoOptimum"/> was obtained, for the report. Default: <see cref="IdealValueSource.Given"/>.</summary>
    internal IdealValueSource DpoOptimumSource { get; init; } = IdealValueSource.Given;

    /// <summary>How a given <see cref="SftOptimum"/> was obtained, for the report. Default: <see cref="IdealValueSource.Given"/>.</summary>
    internal IdealValueSource SftOptimumSource { get; init; } = IdealValueSource.Given;

    /// <summary>
    /// The metrics of an overall ∆m% (eq. 52) against the paired Sequential run, each with its direction:
    /// objectives (<see cref="SelectionMetric.FDpo"/>, <see cref="SelectionMetric.FSft"/>) and benchmark
    /// metrics (<see cref="SelectionMetric.Benchmark"/>). Reported as <see cref="SequentialComparison.Overall"/>
    /// and read by <see cref="SelectionMetric.DeltaM"/>. Null: only the ∆m% over f_DPO and f_SFT
    /// (<see cref="SequentialComparison.DeltaMPercent"/>). Default: null.
    /// </summary>
    public IReadOnlyList<SelectionMetric>? ImprovementMetrics { get; init; }

    /// <summary>How joint candidates are paired with Sequential runs. Default: <see cref="SequentialMatcher.SameEpochsNearestShare"/>.</summary>
    public SequentialMatcher SequentialMatcher { get; init; } = SequentialMatcher.SameEpochsNearestShare;
}
