using XRight.Text;

namespace XRight.MLNet;

/// <summary>Which columns of the two data sets <c>CombineData</c> reads. Defaults: Prompt, Response, Chosen, Rejected.</summary>
public sealed record CombineDataOptions
{
    /// <summary>Prompt column of the instruction data.</summary>
    public string InstructionPromptColumn { get; init; } = PostTrainingColumnNames.Default.Prompt;

    /// <summary>Response column of the instruction data.</summary>
    public string InstructionResponseColumn { get; init; } = PostTrainingColumnNames.Default.Response;

    /// <summary>
    /// The target-span column of the instruction data (<c>ApplyChatTemplate</c> with assistant-only loss), carried into
    /// the combined view under <see cref="PostTrainingColumnNames.ResponseTargetSpans"/>'s default name when the
    /// instruction data has it (empty for preference rows).
    /// </summary>
    public string InstructionTargetSpansColumn { get; init; } = PostTrainingColumnNames.Default.ResponseTargetSpans;

    /// <summary>Prompt column of the preference data.</summary>
    public string PreferencePromptColumn { get; init; } = PostTrainingColumnNames.Default.Prompt;

    /// <summary>Chosen-answer column of the preference data.</summary>
    public string PreferenceChosenColumn { get; init; } = PostTrainingColumnNames.Default.Chosen;

    /// <summary>Rejected-answer column of the preference data.</summary>
    public string PreferenceRejectedColumn { get; init; } = PostTrainingColumnNames.Default.Rejected;
}
