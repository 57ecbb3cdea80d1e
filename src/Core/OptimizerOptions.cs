using XRight.Training.Optimization;

namespace XRight;

/// <summary>AdamW, its learning-rate schedule and gradient clipping. Defaults are the paper's: lr 5e-5 constant, β = (0.9, 0.95), no weight decay, clip 1.0.</summary>
public sealed record OptimizerOptions
{
    /// <summary>Peak learning rate (> 0). Default: 5e-5.</summary>
    public double LearningRate { get; init; } = 5e-5;

    /// <summary>Learning-rate schedule. Default: constant.</summary>
    public LearningRateScheduleKind Schedule { get; init; } = LearningRateScheduleKind.Constant;

    /// <summary>Warm-up steps of <see cref="LearningRateScheduleKind.WarmupCosine"/>. Default: 0.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>AdamW β1. Default: 0.9.</summary>
    public double AdamBeta1 { get; init; } = 0.9;

    /// <summary>AdamW β2. Default: 0.95.</summary>
    public double AdamBeta2 { get; init; } = 0.95;

    /// <summary>AdamW ε. Default: 1e-8.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay. Default: 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Global gradient-norm limit; 0 disables clipping. Default: 1.0.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    internal void Validate()
    {
        var check = new OptionCheck("Optimizer");
        check.Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be positive");
        check.Require(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "must be a known schedule");
        check.Require(WarmupSteps >= 0, nameof(WarmupSteps), WarmupSteps, "must be 0 or more");
        check.Require(AdamBeta1 is >= 0 and < 1, nameof(AdamBeta1), AdamBeta1, "must be in [0, 1)");
        check.Require(AdamBeta2 is >= 0 and < 1, nameof(AdamBeta2), AdamBeta2, "must be in [0, 1)");
        check.Require(AdamEpsilon > 0, nameof(AdamEpsilon), AdamEpsilon, "must be positive");
        check.Require(WeightDecay >= 0, nameof(WeightDecay), WeightDecay, "must be 0 or more");
        check.Require(MaxGradNorm >= 0, nameof(MaxGradNorm), MaxGradNorm, "must be 0 or more");
    }
}
