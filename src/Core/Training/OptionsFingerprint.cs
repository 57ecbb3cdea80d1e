using System.Globalization;

namespace XRight.Training;

/// <summary>
/// The options that decide a run's arithmetic, as "name=value" lines, so a checkpoint is only resumed
/// by a run that would have produced it, and a refusal can say which options differ.
/// </summary>
internal static class OptionsFingerprint
{
    public static string Of(JointTrainerOptions o) => string.Join('\n', new (string, object?)[]
    {
        ("Strategy", o.Strategy), ("Lambda", o.Lambda), ("Beta", o.Beta), ("DpoLossType", o.DpoLossType),
        ("LabelSmoothing", o.LabelSmoothing), ("Epochs", o.Epochs), ("SequentialDpoEpochs", o.SequentialDpoEpochs),
        ("SequentialSftEpochs", o.SequentialSftEpochs), ("SequentialOrder", o.SequentialOrder),
        ("MaxRightEvaluationInterval", o.MaxRightEvaluationInterval), ("LearningRate", o.LearningRate), ("Schedule", o.Schedule),
        ("WarmupSteps", o.WarmupSteps), ("AdamBeta1", o.AdamBeta1), ("AdamBeta2", o.AdamBeta2), ("AdamEpsilon", o.AdamEpsilon),
        ("WeightDecay", o.WeightDecay), ("MaxGradNorm", o.MaxGradNorm), ("GradientAccumulationSteps", o.GradientAccumulationSteps),
        ("SftBatchSize", o.SftBatchSize), ("DpoBatchSize", o.DpoBatchSize), ("GroupByLength", o.GroupByLength), ("MaxSteps", o.MaxSteps),
        ("Reference.Kind", o.Reference.Kind), ("Seed", o.Seed),
        ("Lora", LoraText(o)),
    }.Select(p => $"{p.Item1}={Convert.ToString(p.Item2, CultureInfo.InvariantCulture) ?? "none"}"));

    /// <summary>
    /// The options that decide how a reference trained on the chosen responses comes out (its SFT run):
    /// not the strategy, λ or epochs of the run that uses it, so a λ sweep shares one reference.
    /// </summary>
    public static string OfReferenceTraining(JointTrainerOptions o) => string.Join('\n', new (string, object?)[]
    {
        ("Reference.TrainingEpochs", o.Reference.TrainingEpochs), ("LearningRate", o.LearningRate), ("Schedule", o.Schedule),
        ("WarmupSteps", o.WarmupSteps), ("AdamBeta1", o.AdamBeta1), ("AdamBeta2", o.AdamBeta2), ("AdamEpsilon", o.AdamEpsilon),
        ("WeightDecay", o.WeightDecay), ("MaxGradNorm", o.MaxGradNorm), ("GradientAccumulationSteps", o.GradientAccumulationSteps),
        ("SftBatchSize", o.SftBatchSize), ("GroupByLength", o.GroupByLength), ("Seed", o.Seed), ("Lora", LoraText(o)),
    }.Select(p => $"{p.Item1}={Convert.ToString(p.Item2, CultureInfo.InvariantCulture) ?? "none"}"));

    private static string? LoraText(JointTrainerOptions o)
        => o.Lora is null ? null : $"r={o.Lora.Rank} alpha={o.Lora.Alpha} dropout={o.Lora.Dropout} targets={string.Join('|', o.Lora.TargetModules)}";

    /// <summary>The lines that differ, as "name: checkpoint X, now Y".</summary>
    public static string Differences(string saved, string current)
    {
        var before = saved.Split('\n').Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        return string.Join('\n', current.Split('\n').Select(l => l.Split('=', 2))
            .Where(p => !before.TryGetValue(p[0], out var v) || v != (p.Length > 1 ? p[1] : ""))
            .Select(p => $"  {p[0]}: checkpoint {before.GetValueOrDefault(p[0], "absent")}, now {(p.Length > 1 ? p[1] : "")}"));
    }
}
