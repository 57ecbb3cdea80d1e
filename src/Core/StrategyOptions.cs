namespace XRight;

/// <summary>
/// How the two objectives share the steps, and the run's budget. Defaults: ALRIGHT, λ = 0.5, one epoch,
/// MAXRIGHT's k = 10 (the paper's).
/// </summary>
public sealed record StrategyOptions
{
    /// <summary>The strategy. Default: <see cref="JointStrategy.AlRight"/>.</summary>
    public JointStrategy Kind { get; init; } = JointStrategy.AlRight;

    /// <summary>λ in [0, 1]: the weight of DPO (larger favours DPO). Default: 0.5.</summary>
    public double Lambda { get; init; } = 0.5;

    /// <summary>
    /// Epochs of the joint strategies; one epoch is one pass over the SFT batches (as in the reference
    /// code), the preference loader cycling independently. Default: 1.
    /// </summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Sequential: epochs of DPO (T_DPO). Default: 1.</summary>
    public int SequentialDpoEpochs { get; init; } = 1;

    /// <summary>Sequential: epochs of SFT (T_SFT). Default: 1.</summary>
    public int SequentialSftEpochs { get; init; } = 1;

    /// <summary>Sequential: which objective first. Default: <see cref="SequentialOrder.DpoThenSft"/>.</summary>
    public SequentialOrder SequentialOrder { get; init; } = SequentialOrder.DpoThenSft;

    /// <summary>Stop after this many optimizer steps even if the epochs are not done; null for no cap.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Memory-efficient MAXRIGHT: steps between evaluations of both objectives (k ≥ 1). Default: 10.</summary>
    public int MaxRightEvaluationInterval { get; init; } = 10;

    /// <summary>f*_DPO, the best reachable DPO value; null when unknown.</summary>
    public double? DpoOptimum { get; init; }

    /// <summary>f*_SFT, the best reachable SFT value; null when unknown.</summary>
    public double? SftOptimum { get; init; }

    /// <summary>
    /// When MAXRIGHT needs an unknown f*: estimate it by a single-objective run with the same budget
    /// (true), or fail (false). Default: true.
    /// </summary>
    public bool EstimateMissingOptimum { get; init; } = true;

    /// <summary>
    /// True when <see cref="DpoOptimum"/> is an estimate (a single-objective run's best value) rather than a
    /// known optimum: the gap stop rule then treats it as one (see <see cref="EvaluationOptions.StopGap"/>).
    /// An f* this trainer estimates itself is always treated so. Default: false.
    /// </summary>
    public bool DpoOptimumIsEstimate { get; init; }

    /// <summary>Like <see cref="DpoOptimumIsEstimate"/>, for <see cref="SftOptimum"/>. Default: false.</summary>
    public bool SftOptimumIsEstimate { get; init; }

    /// <summary>True when the strategy steps on SFT at all.</summary>
    internal bool UsesSft => Kind != JointStrategy.Sequential || SequentialSftEpochs > 0;

    /// <summary>True when the strategy steps on DPO at all.</summary>
    internal bool UsesDpo => Kind != JointStrategy.Sequential || SequentialDpoEpochs > 0;

    internal void Validate()
    {
        var check = new OptionCheck("Strategy");
        check.Require(Enum.IsDefined(Kind), nameof(Kind), Kind, "must be a known strategy");
        check.Require(Lambda is >= 0 and <= 1, nameof(Lambda), Lambda, "must be in [0, 1]");
        check.Require(Epochs >= 1, nameof(Epochs), Epochs, "must be at least 1");
        check.Require(SequentialDpoEpochs >= 0, nameof(SequentialDpoEpochs), SequentialDpoEpochs, "must be 0 or more");
        check.Require(SequentialSftEpochs >= 0, nameof(SequentialSftEpochs), SequentialSftEpochs, "must be 0 or more");
        check.Require(SequentialDpoEpochs + SequentialSftEpochs >= 1, nameof(SequentialSftEpochs), SequentialSftEpochs, "plus SequentialDpoEpochs must be at least 1");
        check.Require(Enum.IsDefined(SequentialOrder), nameof(SequentialOrder), SequentialOrder, "must be a known order");
        check.Require(MaxSteps is null or >= 1, nameof(MaxSteps), MaxSteps, "must be at least 1");
        check.Require(MaxRightEvaluationInterval >= 1, nameof(MaxRightEvaluationInterval), MaxRightEvaluationInterval, "(k) must be at least 1");
        check.Require(DpoOptimum is null || double.IsFinite(DpoOptimum.Value), nameof(DpoOptimum), DpoOptimum, "must be finite");
        check.Require(SftOptimum is null || double.IsFinite(SftOptimum.Value), nameof(SftOptimum), SftOptimum, "must be finite");
    }
}
