using XRight.Selection;
using XRight.Training;

namespace XRight.Tests.Selection;

/// <summary>Small builders for hand-made candidates.</summary>
internal static class Sweep
{
    public static SelectionCandidate Joint(string name, double lambda, double fDpo, double fSft,
        string strategy = "ALRIGHT", int epochs = 6, double runtime = 100, long memory = 1_000_000_000, double? utilization = null) => new()
    {
        Name = name,
        Strategy = strategy,
        Lambda = lambda,
        Epochs = epochs,
        Run = Run(strategy, fDpo, fSft, runtime, memory),
        GpuUtilizationPercent = utilization,
    };

    public static SelectionCandidate Sequential(string name, int dpoEpochs, int sftEpochs, double fDpo, double fSft,
        double runtime = 100, long memory = 1_000_000_000, double? utilization = null) => new()
    {
        Name = name,
        Strategy = "Sequential",
        Sequential = new SequentialSchedule(dpoEpochs, sftEpochs),
        Epochs = dpoEpochs + sftEpochs,
        Run = Run("Sequential", fDpo, fSft, runtime, memory),
        GpuUtilizationPercent = utilization,
    };

    /// <summary>The summary of a run that ended at (f_DPO, f_SFT) after 100 steps.</summary>
    public static TrainingRunSummary Run(string strategy, double fDpo, double fSft, double runtime = 100, long memory = 1_000_000_000) => new()
    {
        Strategy = strategy,
        Steps = 100,
        DpoSteps = 50,
        SftSteps = 50,
        RuntimeSeconds = runtime,
        PeakMemoryBytes = memory,
        StopReason = TrainingStopReason.Completed,
        Final = new HeldOutMetrics(fSft, fDpo, 0.5, 0.5, 0.1, 0.2, 0.1, 10, 10),
    };

    /// <summary>The candidate with other final objectives, runtime, memory or trajectory.</summary>
    public static SelectionCandidate With(this SelectionCandidate c, double? fDpo = null, double? fSft = null, double? runtime = null,
        long? memory = null, IReadOnlyList<TrajectoryPoint>? trajectory = null) => c with
    {
        Run = c.Run with
        {
            Final = c.Run.Final with { FDpo = fDpo ?? c.FDpo, FSft = fSft ?? c.FSft },
            RuntimeSeconds = runtime ?? c.RuntimeSeconds,
            PeakMemoryBytes = memory ?? c.PeakMemoryBytes,
            Trajectory = trajectory ?? c.Trajectory,
        },
    };

    /// <summary>A trajectory that walks in <paramref name="steps"/> equal steps from (start) to the candidate's final point.</summary>
    public static SelectionCandidate WithTrajectory(this SelectionCandidate c, double startDpo, double startSft, int steps) => c.With(
        trajectory: [.. Enumerable.Range(0, steps).Select(k => new TrajectoryPoint(
            Step: 1 + 100 * k,
            FDpo: startDpo + (c.FDpo - startDpo) * k / (steps - 1),
            FSft: startSft + (c.FSft - startSft) * k / (steps - 1),
            Stepped: k % 2 == 0 ? ObjectiveKind.Dpo : ObjectiveKind.Sft,
            WallSeconds: 10.0 * k,
            PeakMemoryBytes: 1_000 + k))]);

    /// <summary>
    /// Eight points with exact binary values (so ties are exact), all λ = 0.5 ALRIGHT runs:
    /// A (0.25, 2.00), B (0.50, 1.75), C (0.75, 1.50) lie on one line of slope −1;
    /// D (0.50, 1.75) duplicates B; E (0.625, 1.875) is dominated by B; F (0.75, 1.625) by C with a
    /// tie on f_DPO; G (1.00, 1.50) by C with a tie on f_SFT; H (0.375, 2.125) by A.
    /// Front = {A, B, C, D}. Estimated ideal point = (min f_DPO, min f_SFT) = (0.25, 1.50).
    /// </summary>
    public static SelectionCandidate[] EightPoints() =>
    [
        Joint("A", 0.5, 0.25, 2.00),
        Joint("B", 0.5, 0.50, 1.75),
        Joint("C", 0.5, 0.75, 1.50),
        Joint("D", 0.5, 0.50, 1.75),
        Joint("E", 0.5, 0.625, 1.875),
        Joint("F", 0.5, 0.75, 1.625),
        Joint("G", 0.5, 1.00, 1.50),
        Joint("H", 0.5, 0.375, 2.125),
    ];
}
