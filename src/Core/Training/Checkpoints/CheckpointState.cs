using XRight.Objectives;
using XRight.Training.Strategies;

namespace XRight.Training.Checkpoints;

/// <summary>Everything of a run's progress that is not a tensor (state.json of a checkpoint).</summary>
internal sealed record CheckpointState
{
    public const string FormatName = "xright.training-checkpoint";
    public const int FormatVersion = 2;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = FormatVersion;
    public required int Step { get; init; }
    public required long OptimizerSteps { get; init; }
    public required int DpoSteps { get; init; }
    public required int SftSteps { get; init; }
    public required double ElapsedSeconds { get; init; }
    public required SftMetrics? LastSft { get; init; }
    public required DpoMetrics? LastDpo { get; init; }
    public required StrategyState Strategy { get; init; }
    public required LoaderState? SftLoader { get; init; }
    public required LoaderState? DpoLoader { get; init; }
    public required string TorchRandomState { get; init; }
    public required string[] TrainableNames { get; init; }
    public required IReadOnlyList<TrajectoryPoint> Trajectory { get; init; }
    public required double? DpoOptimum { get; init; }
    public required double? SftOptimum { get; init; }
    public required string OptionsFingerprint { get; init; }
    public required string? ReferenceFingerprint { get; init; }

    /// <summary>The inputs of the run that wrote the checkpoint (version 2 on).</summary>
    public required RunIdentity Identity { get; init; }
    /// <summary>The float16 loss scale after this step; null without float16 mixed precision (and in checkpoints written before it existed).</summary>
    public double? LossScale { get; init; }

    /// <summary>Steps without overflow since the loss scale last changed.</summary>
    public int? LossScaleGoodSteps { get; init; }

    /// <summary>Steps skipped for overflowing float16 gradients so far.</summary>
    public int? SkippedSteps { get; init; }
}
