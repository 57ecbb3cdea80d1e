namespace XRight.Training;

/// <summary>
/// The token-level data of a run. The two training sets are separate and may differ in size. When an
/// evaluation set is not given, the first <see cref="EvaluationOptions.Fraction"/> of the
/// training set is held out for it (as the reference code does).
/// </summary>
public sealed class JointTrainingData
{
    /// <summary>Instruction rows for SFT.</summary>
    public IReadOnlyList<TokenizedInstruction> Instructions { get; init; } = [];

    /// <summary>Preference rows for DPO.</summary>
    public IReadOnlyList<TokenizedPreference> Preferences { get; init; } = [];

    /// <summary>Held-out instruction rows for f_SFT; null to split them off the training rows.</summary>
    public IReadOnlyList<TokenizedInstruction>? InstructionEvaluation { get; init; }

    /// <summary>Held-out preference rows for f_DPO; null to split them off the training rows.</summary>
    public IReadOnlyList<TokenizedPreference>? PreferenceEvaluation { get; init; }

    /// <summary>
    /// Identifies the tokenizer the rows were made with (for example <c>ContentHash.OfFiles</c> of its files), or
    /// null when the caller does not say. Checkpoints record it with the run's other inputs, and a run resumes
    /// only with the same value; the token ids themselves are checked in any case.
    /// </summary>
    public string? TokenizerFingerprint { get; init; }

    /// <summary>
    /// Turns token ids into text (the tokenizer's decoder), for the completion samples of
    /// <see cref="LoggingOptions.CompletionSamples"/>; null shows them as token ids.
    /// </summary>
    public Func<IReadOnlyList<int>, string>? Decode { get; init; }
}
