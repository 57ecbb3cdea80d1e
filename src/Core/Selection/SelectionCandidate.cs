using System.Text.Json.Serialization;
using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// One trained model of a sweep, as the selection stage sees it: how it was trained, its held-out
/// objective values, the resources it used and its evaluation trajectory.
/// </summary>
/// <remarks>
/// Exactly one of <see cref="Lambda"/> (joint strategies: Mix, ALRIGHT, MAXRIGHT) and
/// <see cref="Sequential"/> (the Sequential baseline) is set. The values are checked by
/// <see cref="ParetoSelection.Analyze"/>.
/// </remarks>
public sealed record SelectionCandidate
{
    /// <summary>A name unique within the sweep, for example "ALRIGHT λ=0.5".</summary>
    public required string Name { get; init; }

    /// <summary>The strategy's display name, for example "ALRIGHT"; candidates of one strategy share a style in plots.</summary>
    public required string Strategy { get; init; }

    /// <summary>The trade-off weight λ ∈ [0, 1] of a joint strategy; null for a Sequential run.</summary>
    public double? Lambda { get; init; }

    /// <summary>The epoch split of a Sequential run; null for a joint strategy.</summary>
    public SequentialSchedule? Sequential { get; init; }

    /// <summary>The training budget in epochs (for a Sequential run, T_DPO + T_SFT).</summary>
    public required int Epochs { get; init; }

    /// <summary>Held-out DPO objective of the final model.</summary>
    public required double FDpo { get; init; }

    /// <summary>Held-out SFT objective (token-mean NLL) of the final model.</summary>
    public required double FSft { get; init; }

    /// <summary>Wall-clock training time in seconds.</summary>
    public required double RuntimeSeconds { get; init; }

    /// <summary>Peak memory during training in bytes.</summary>
    public required long PeakMemoryBytes { get; init; }

    /// <summary>Median accelerator utilization during training in percent, when measured.</summary>
    public double? GpuUtilizationPercent { get; init; }

    /// <summary>The held-out evaluations during training, in step order (may be empty).</summary>
    public IReadOnlyList<TrajectoryPoint> Trajectory { get; init; } = [];

    /// <summary>Where the trained model was saved, when it was.</summary>
    public string? ModelPath { get; init; }

    /// <summary>True for a Sequential run.</summary>
    [JsonIgnore]
    public bool IsSequential => Sequential is not null;

    /// <summary>"λ = 0.5" or "(T_DPO, T_SFT) = (3, 3)".</summary>
    [JsonIgnore]
    public string Setting => Sequential is { } schedule
        ? schedule.ToString()
        : FormattableString.Invariant($"λ = {Lambda}");
}
