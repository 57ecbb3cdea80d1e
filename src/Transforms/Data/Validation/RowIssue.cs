namespace XRight.Data.Validation;

/// <summary>The first problem found in a row and the column(s) holding it.</summary>
internal readonly record struct RowIssue(SkipReason Reason, string Column, string? OtherColumn = null)
{
    public string ColumnsText => OtherColumn is null ? $"column '{Column}'" : $"columns '{Column}' and '{OtherColumn}'";

    public string Description => Reason switch
    {
        SkipReason.EmptyPrompt => "the prompt is empty or whitespace",
        SkipReason.EmptyResponse => "the response is empty or whitespace",
        SkipReason.EmptyChosen => "the chosen response is empty or whitespace",
        SkipReason.EmptyRejected => "the rejected response is empty or whitespace",
        SkipReason.ChosenEqualsRejected => "chosen and rejected are the same text",
        SkipReason.TooLong => "the row does not fit in the token budget",
        _ => throw new ArgumentOutOfRangeException(nameof(Reason), Reason, "Unknown skip reason."),
    };
}
