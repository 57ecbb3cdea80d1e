namespace XRight.MLNet;

/// <summary>Which columns of the two data sets <c>CombineData</c> reads. Defaults: Prompt, Response, Chosen, Rejected.</summary>
public sealed class CombineDataOptions
{
    /// <summary>Prompt column of the instruction data.</summary>
    public string InstructionPromptColumn { get; set; } = PostTrainingColumns.Prompt;

    /// <summary>Response column of the instruction data.</summary>
    public string InstructionResponseColumn { get; set; } = PostTrainingColumns.Response;

    /// <summary>Prompt column of the preference data.</summary>
    public string PreferencePromptColumn { get; set; } = PostTrainingColumns.Prompt;

    /// <summary>Chosen-answer column of the preference data.</summary>
    public string PreferenceChosenColumn { get; set; } = PostTrainingColumns.Chosen;

    /// <summary>Rejected-answer column of the preference data.</summary>
    public string PreferenceRejectedColumn { get; set; } = PostTrainingColumns.Rejected;
}
