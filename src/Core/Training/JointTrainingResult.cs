using XRight.Modeling;

namespace XRight.Training;

/// <summary>What a run produced: the trained policy, its held-out metrics and its trajectory.</summary>
public sealed class JointTrainingResult
{
    internal JointTrainingResult(CausalLm model, string strategyName, IReadOnlyList<TrajectoryPoint> trajectory, HeldOutMetrics final,
        int steps, int dpoSteps, int sftSteps, double runtimeSeconds, long peakMemoryBytes, TrainingStopReason stopReason,
        double? dpoOptimum, double? sftOptimum, string? referenceFingerprint)
    {
        Model = model;
        StrategyName = strategyName;
        Trajectory = trajectory;
        Final = final;
        Steps = steps;
        DpoSteps = dpoSteps;
        SftSteps = sftSteps;
        RuntimeSeconds = runtimeSeconds;
        PeakMemoryBytes = peakMemoryBytes;
        StopReason = stopReason;
        DpoOptimum = dpoOptimum;
        SftOptimum = sftOptimum;
        ReferenceFingerprint = referenceFingerprint;
    }

    /// <summary>The trained policy (with its LoRA adapters when LoRA was used). The caller owns it.</summary>
    public CausalLm Model { get; }

    /// <summary>The strategy's display name, e.g. "MAXRIGHT(λ=0.5, k=10)".</summary>
    public string StrategyName { get; }

    /// <summary>Every held-out evaluation, in step order.</summary>
    public IReadOnlyList<TrajectoryPoint> Trajectory { get; }

    /// <summary>The held-out metrics at the end.</summary>
    public HeldOutMetrics Final { get; }

    /// <summary>Optimizer steps taken (including those of a resumed checkpoint).</summary>
    public int Steps { get; }

    /// <summary>Steps that updated DPO (Mix steps count for both).</summary>
    public int DpoSteps { get; }

    /// <summary>Steps that updated SFT (Mix steps count for both).</summary>
    public int SftSteps { get; }

    /// <summary>Wall time of the main run (reference and f* estimation excluded).</summary>
    public double RuntimeSeconds { get; }

    /// <summary>Peak resident memory during the main run.</summary>
    public long PeakMemoryBytes { get; }

    /// <summary>Why the run ended.</summary>
    public TrainingStopReason StopReason { get; }

    /// <summary>f*_DPO used (given or estimated); null when unknown.</summary>
    public double? DpoOptimum { get; }

    /// <summary>f*_SFT used (given or estimated); null when unknown.</summary>
    public double? SftOptimum { get; }

    /// <summary>Identity of the DPO reference whose log-probs were used; null when no DPO was involved.</summary>
    public string? ReferenceFingerprint { get; }

    /// <summary>Writes the trajectory as CSV (step, f_DPO, f_SFT, stepped, wall seconds, peak bytes).</summary>
    public void SaveTrajectoryCsv(string path) => TrajectoryLog.SaveCsv(Trajectory, path);

    /// <summary>Writes the trajectory as JSON.</summary>
    public void SaveTrajectoryJson(string path) => TrajectoryLog.SaveJson(Trajectory, path);
}
