namespace XRight.Training;

/// <summary>
/// What one training run did: its strategy, steps, resources, stop reason, final held-out metrics, the f*
/// it used and its trajectory. <see cref="JointTrainingResult"/> holds it next to the trained model, the
/// ML.NET transformer keeps it (in its zip too) and a <see cref="Selection.SelectionCandidate"/> refers to it.
/// </summary>
public record TrainingRunSummary
{
    /// <summary>The strategy's display name, e.g. "MAXRIGHT(λ=0.5, k=10)".</summary>
    public required string Strategy { get; init; }

    /// <summary>Optimizer steps taken (including those of a resumed checkpoint).</summary>
    public required int Steps { get; init; }

    /// <summary>Steps that updated DPO (Mix steps count for both).</summary>
    public required int DpoSteps { get; init; }

    /// <summary>Steps that updated SFT (Mix steps count for both).</summary>
    public required int SftSteps { get; init; }

    /// <summary>Wall time of the main run in seconds (reference and f* estimation excluded).</summary>
    public required double RuntimeSeconds { get; init; }

    /// <summary>Peak memory during the main run in bytes (resident set on CPU, allocator peak on GPU).</summary>
    public required long PeakMemoryBytes { get; init; }

    /// <summary>Why the run ended.</summary>
    public required TrainingStopReason StopReason { get; init; }

    /// <summary>The held-out metrics at the end.</summary>
    public required HeldOutMetrics Final { get; init; }

    /// <summary>f*_DPO used (given or estimated); null when unknown.</summary>
    public double? DpoOptimum { get; init; }

    /// <summary>f*_SFT used (given or estimated); null when unknown.</summary>
    public double? SftOptimum { get; init; }

    /// <summary>Identity of the DPO reference whose log-probs were used; null when no DPO was involved.</summary>
    public string? ReferenceFingerprint { get; init; }

    /// <summary>Every held-out evaluation, in step order.</summary>
    public IReadOnlyList<TrajectoryPoint> Trajectory { get; init; } = [];

    /// <summary>Writes the trajectory as CSV (step, f_DPO, f_SFT, stepped, wall seconds, peak bytes).</summary>
    public void SaveTrajectoryCsv(string path) => TrajectoryLog.SaveCsv(Trajectory, path);

    /// <summary>Writes the trajectory as JSON.</summary>
    public void SaveTrajectoryJson(string path) => TrajectoryLog.SaveJson(Trajectory, path);
}
