using XRight.Modeling;
using XRight.Selection;

namespace XRight.Training.Checkpoints;

/// <summary>
/// What a run's checkpoints belong to: SHA-256 fingerprints of its training options, its starting model
/// (configuration and every weight), the tokenizer its data was tokenized with (when the caller names one) and
/// each of the four data sets (every token id, in order). A checkpoint is resumed only by a run with the same
/// identity, and a run writes only into a checkpoint directory that holds no other run's checkpoints.
/// </summary>
internal sealed record RunIdentity
{
    /// <summary>SHA-256 of <see cref="OptionsFingerprint.Of"/> (the full text is in the checkpoint too, for naming the options that differ).</summary>
    public required string Options { get; init; }
    public required string Model { get; init; }
    public string? Tokenizer { get; init; }
    public required string InstructionData { get; init; }
    public required string PreferenceData { get; init; }
    public required string InstructionEvaluationData { get; init; }
    public required string PreferenceEvaluationData { get; init; }

    /// <summary>One hash of all parts.</summary>
    public string Key => ContentHash.Combine(Options, Model, Tokenizer ?? "none", InstructionData, PreferenceData, InstructionEvaluationData, PreferenceEvaluationData);

    /// <summary>The identity of a run with these options (their fingerprint), this starting model and these data.</summary>
    public static RunIdentity Of(string optionsFingerprint, CausalLm model, JointTrainingData data) => new()
    {
        Options = ContentHash.Combine(optionsFingerprint),
        Model = ContentHash.OfModel(model),
        Tokenizer = data.TokenizerFingerprint,
        InstructionData = Rows(data.Instructions, ContentHash.InstructionIds),
        PreferenceData = Rows(data.Preferences, ContentHash.PreferenceIds),
        InstructionEvaluationData = Rows(data.InstructionEvaluation, ContentHash.InstructionIds),
        PreferenceEvaluationData = Rows(data.PreferenceEvaluation, ContentHash.PreferenceIds),
    };

    /// <summary>
    /// What differs from <paramref name="other"/>, in words ("the instruction data", "the base model (weights and
    /// configuration)"), with the two fingerprints' first characters; empty when the identities are equal.
    /// </summary>
    public IReadOnlyList<string> Differences(RunIdentity other)
    {
        var parts = new (string Name, string? Mine, string? Theirs)[]
        {
            ("the training options", Options, other.Options),
            ("the base model (configuration and weights)", Model, other.Model),
            ("the tokenizer", Tokenizer, other.Tokenizer),
            ("the instruction data", InstructionData, other.InstructionData),
            ("the preference data", PreferenceData, other.PreferenceData),
            ("the instruction evaluation data", InstructionEvaluationData, other.InstructionEvaluationData),
            ("the preference evaluation data", PreferenceEvaluationData, other.PreferenceEvaluationData),
        };
        return parts.Where(p => p.Mine != p.Theirs)
            .Select(p => $"{p.Name} (fingerprint {Short(p.Theirs)} there, {Short(p.Mine)} now)")
            .ToArray();
    }

    private static string Short(string? hash) => hash is null ? "none" : hash[..Math.Min(12, hash.Length)];

    // A set's rows in order (a missing set, as an evaluation set left to the split, hashes as "none").
    private static string Rows<T>(IReadOnlyList<T>? rows, Func<T, int[][]> parts)
    {
        if (rows is null) return ContentHash.Combine("none");
        return ContentHash.OfTokenRows(rows.Select(parts));
    }
}
