using XRight.Text;

namespace XRight.MLNet;

/// <summary>Which columns of the two data sets <c>CombineData</c> reads. Defaults: Prompt, Response, Chosen, Rejected.</summary>
public sealed record CombineDataOptions
{
    /// <summary>Prompt column of the instruction data.</summary>
    public string InstructionPromptColumn { get; init; } = PostTrainingColumnNames.Default.Prompt;

    /// <summary>Response column of the instruction data.</summary>
    public string InstructionResponseColumn { get; init; } = PostTrainingColumnNames.Default.Response;

    /// <summary>Prompt column of the preference data.</summary>
    public string PreferencePromptColumn { get; init; } = PostTrainingColumnNames.Default.Prompt;

    /// <summary>Chosen-answer column of the preference data.</summary>
    public string PreferenceChosenColumn { get; init; } = PostTrainingColumnNames.Default.Chosen;

    /// <summary>Rejected-answer column of the preference data.</summary>
    public string PreferenceRejectedColumn { get; init; } = PostTrainingColumnNames.Default.Rejected;
}
