using XRight.Objectives;
using XRight.Training;

namespace XRight;

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
    double SftLoss, double DpoLoss, double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining)
{
    /// <summary>The metrics of the latest step that updated on SFT (averaged over its micro-batches); null before the first.</summary>
    public SftMetrics? Sft { get; init; }

    /// <summary>The metrics of the latest step that updated on DPO (averaged over its micro-batches); null before the first.</summary>
    public DpoMetrics? Dpo { get; init; }

    /// <summary>Global gradient norm of the latest step, before clipping; NaN before the first step.</summary>
    public double GradientNorm { get; init; } = double.NaN;

    /// <summary>Learning rate the latest step applied.</summary>
    public double LearningRate { get; init; }

    /// <summary>The loss scale of float16 mixed-precision training after the latest step; null otherwise.</summary>
    public double? LossScale { get; init; }

    /// <summary>Steps of this phase skipped because their float16 gradients overflowed (always 0 without float16 mixed precision).</summary>
    public int SkippedSteps { get; init; }

    /// <summary>
    /// The values keyed as TRL logs them, each objective's under its own prefix: <c>sft/loss</c>,
    /// <c>sft/mean_token_accuracy</c>, <c>dpo/loss</c>, <c>dpo/rewards/chosen</c>, … , plus <c>grad_norm</c>,
    /// <c>learning_rate</c> and <c>tokens_per_second</c>. Objectives not stepped yet are left out.
    /// </summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var values = new Dictionary<string, double>();
        if (Sft is not null) foreach (var (key, value) in Sft.ToDictionary()) values["sft/" + key] = value;
        if (Dpo is not null) foreach (var (key, value) in Dpo.ToDictionary()) values["dpo/" + key] = value;
        values["grad_norm"] = GradientNorm;
        values["learning_rate"] = LearningRate;
        values["tokens_per_second"] = TokensPerSecond;
        return values;
    }
}
