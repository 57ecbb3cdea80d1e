namespace XRight.Training;

/// <summary>A progress report, sent after every optimizer step and at phase changes.</summary>
/// <param name="Phase">What is running: "reference", "optimum f*_DPO", "optimum f*_SFT" or "training".</param>
/// <param name="Step">Optimizer steps done in this phase.</param>
/// <param name="TotalSteps">Optimizer steps this phase will take at most.</param>
/// <param name="SftEpoch">Epoch of the instruction loader (0-based).</param>
/// <param name="DpoEpoch">Epoch of the preference loader (0-based).</param>
/// <param name="Stepped">The objective the last step updated; null for both (Mix) or before the first step.</param>
/// <param name="SftLoss">Latest SFT batch loss seen; NaN if none yet.</param>
/// <param name="DpoLoss">Latest DPO batch loss seen; NaN if none yet.</param>
/// <param name="TokensPerSecond">Training tokens (padding excluded) per second so far in this phase.</param>
/// <param name="Elapsed">Time spent in this phase.</param>
/// <param name="Remaining">Estimated time left in this phase.</param>
public sealed record TrainingProgress(string Phase, int Step, int TotalSteps, int SftEpoch, int DpoEpoch, ObjectiveKind? Stepped,
    double SftLoss, double DpoLoss, double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining);
