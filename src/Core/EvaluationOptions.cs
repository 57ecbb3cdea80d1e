namespace XRight;

/// <summary>
/// Held-out evaluation and the stopping rules that read it. Defaults follow the reference code: the first
/// 3% of each training set, after step 1 and every 100 steps, stop when a gap reaches 1e-4.
/// </summary>
public sealed record EvaluationOptions
{
    /// <summary>Evaluate the held-out objectives after step 1 and every this many steps (and at the end). Default: 100.</summary>
    public int Interval { get; init; } = 100;

    /// <summary>Share of each training set held out when no evaluation set is given. Default: 0.03.</summary>
    public double Fraction { get; init; } = 0.03;

    /// <summary>Rows per evaluation batch. Default: 16.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// The gap stop rule: a joint run stops at a held-out evaluation where an optimality gap f − f* reaches
    /// this value, for an objective whose f* is known (Sequential runs are never stopped by it: their phases
    /// reach one optimum by design). With a given f* the rule is f − f* ≤ StopGap. With an ESTIMATED f*
    /// (estimated by the trainer, or marked by <see cref="StrategyOptions.DpoOptimumIsEstimate"/> /
    /// <see cref="StrategyOptions.SftOptimumIsEstimate"/>, as a sweep does) the estimate must not end a run
    /// that shows it wrong: the rule is |f − f*| ≤ StopGap, and once any evaluation of the run has beaten
    /// the estimate (f &lt; f* − StopGap) that estimate stops the run no more, so it runs to its budget
    /// unless the other objective or <see cref="StopWhenDominating"/> stops it. 0 stops only on
    /// reaching f* exactly (given: or going below it); null turns the rule off. Default: 1e-4 (the reference code's).
    /// </summary>
    public double? StopGap { get; init; } = 1e-4;

    /// <summary>Stop when the held-out point weakly dominates this (f_DPO, f_SFT) point; null to disable.</summary>
    public ObjectivePair? StopWhenDominating { get; init; }

    internal void Validate()
    {
        var check = new OptionCheck("Evaluation");
        check.Require(Interval >= 1, nameof(Interval), Interval, "must be at least 1");
        check.Require(Fraction is > 0 and < 1, nameof(Fraction), Fraction, "must be in (0, 1)");
        check.Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        check.Require(StopGap is null or >= 0, nameof(StopGap), StopGap, "must be 0 or more, or null to turn the rule off");
        check.Require(StopWhenDominating is null || (double.IsFinite(StopWhenDominating.Value.Dpo) && double.IsFinite(StopWhenDominating.Value.Sft)),
            nameof(StopWhenDominating), StopWhenDominating, "must be finite");
    }
}
