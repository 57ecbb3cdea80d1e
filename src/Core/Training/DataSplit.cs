namespace XRight.Training;

/// <summary>Training and held-out rows, checked, with the held-out rows split off when not given.</summary>
internal sealed record DataSplit(
    IReadOnlyList<TokenizedInstruction> Instructions, IReadOnlyList<TokenizedPreference> Preferences,
    IReadOnlyList<TokenizedInstruction> InstructionEvaluation, IReadOnlyList<TokenizedPreference> PreferenceEvaluation)
{
    /// <summary>Every preference row that needs reference log-probs.</summary>
    public IReadOnlyList<TokenizedPreference> AllPreferences => [.. Preferences, .. PreferenceEvaluation];

    public static DataSplit From(JointTrainingData data, JointTrainerOptions options)
    {
        Check(data.Instructions, "Instructions");
        Check(data.Preferences, "Preferences");
        if (data.InstructionEvaluation is { } ie) Check(ie, "InstructionEvaluation");
        if (data.PreferenceEvaluation is { } pe) Check(pe, "PreferenceEvaluation");
        if (options.Strategy.UsesSft && data.Instructions.Count == 0)
            throw new ArgumentException($"Strategy {options.Strategy.Kind} trains on SFT but JointTrainingData.Instructions is empty.");
        if (options.Strategy.UsesDpo && data.Preferences.Count == 0)
            throw new ArgumentException($"Strategy {options.Strategy.Kind} trains on DPO but JointTrainingData.Preferences is empty.");
        var (sft, sftEval) = Split(data.Instructions, data.InstructionEvaluation, options.Evaluation.Fraction, "Instructions");
        var (dpo, dpoEval) = Split(data.Preferences, data.PreferenceEvaluation, options.Evaluation.Fraction, "Preferences");
        return new DataSplit(sft, dpo, sftEval, dpoEval);
    }

    // The reference code evaluates on the first share of each training set.
    private static (IReadOnlyList<T> Train, IReadOnlyList<T> Evaluation) Split<T>(IReadOnlyList<T> rows, IReadOnlyList<T>? evaluation, double fraction, string name)
    {
        if (evaluation is not null || rows.Count == 0) return (rows, evaluation ?? []);
        int held = Math.Max(1, (int)Math.Round(fraction * rows.Count));
        if (held >= rows.Count)
            throw new ArgumentException($"JointTrainingData.{name} has {rows.Count} row(s): too few to hold out {held} for evaluation and train on the rest; give an evaluation set.");
        return (rows.Skip(held).ToArray(), rows.Take(held).ToArray());
    }

    private static void Check(IReadOnlyList<TokenizedInstruction> rows, string name)
    {
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Prompt is not { Length: > 0 }) throw new ArgumentException($"JointTrainingData.{name}[{i}] has no prompt tokens.");
            if (rows[i].Response is not { Length: > 0 }) throw new ArgumentException($"JointTrainingData.{name}[{i}] has no response tokens.");
            if (rows[i].LossMask is { } mask)
            {
                if (mask.Length != rows[i].Response.Length)
                    throw new ArgumentException($"JointTrainingData.{name}[{i}].LossMask has {mask.Length} flags for {rows[i].Response.Length} response tokens.");
                if (!mask.Contains(true)) throw new ArgumentException($"JointTrainingData.{name}[{i}].LossMask marks no response token as a target.");
            }
        }
    }

    private static void Check(IReadOnlyList<TokenizedPreference> rows, string name)
    {
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Prompt is not { Length: > 0 }) throw new ArgumentException($"JointTrainingData.{name}[{i}] has no prompt tokens.");
            if (rows[i].Chosen is not { Length: > 0 }) throw new ArgumentException($"JointTrainingData.{name}[{i}] has no chosen tokens.");
            if (rows[i].Rejected is not { Length: > 0 }) throw new ArgumentException($"JointTrainingData.{name}[{i}] has no rejected tokens.");
        }
    }
}
