using XRight.Training;

namespace XRight.MLNet;

/// <summary>What training did, kept with the fitted model (and in its zip).</summary>
/// <param name="Strategy">The strategy's display name.</param>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="DpoSteps">Steps that updated DPO.</param>
/// <param name="SftSteps">Steps that updated SFT.</param>
/// <param name="RuntimeSeconds">Wall time of the main run.</param>
/// <param name="PeakMemoryBytes">Peak resident memory of the main run.</param>
/// <param name="StopReason">Why training ended.</param>
/// <param name="Final">Held-out metrics at the end.</param>
/// <param name="DpoOptimum">f*_DPO used, if any.</param>
/// <param name="SftOptimum">f*_SFT used, if any.</param>
/// <param name="InstructionData">How the instruction rows were read (kept, skipped and why).</param>
/// <param name="PreferenceData">How the preference rows were read.</param>
/// <param name="Trajectory">Every held-out evaluation.</param>
public sealed record TrainingSummary(
    string Strategy, int Steps, int DpoSteps, int SftSteps, double RuntimeSeconds, long PeakMemoryBytes, TrainingStopReason StopReason,
    HeldOutMetrics Final, double? DpoOptimum, double? SftOptimum, string InstructionData, string PreferenceData,
    IReadOnlyList<TrajectoryPoint> Trajectory);
