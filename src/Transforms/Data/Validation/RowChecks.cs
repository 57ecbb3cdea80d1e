using XRight.Text;

namespace XRight.Data.Validation;

/// <summary>The checks a row must pass to be trained on; the first failing one is the row's issue.</summary>
internal static class RowChecks
{
    public static RowIssue? Instruction(ReadOnlyMemory<char> prompt, ReadOnlyMemory<char> response, PostTrainingColumnNames columns)
        => IsBlank(prompt) ? new RowIssue(SkipReason.EmptyPrompt, columns.Prompt)
            : IsBlank(response) ? new RowIssue(SkipReason.EmptyResponse, columns.Response)
            : null;

    public static RowIssue? Preference(ReadOnlyMemory<char> prompt, ReadOnlyMemory<char> chosen, ReadOnlyMemory<char> rejected, PostTrainingColumnNames columns)
        => IsBlank(prompt) ? new RowIssue(SkipReason.EmptyPrompt, columns.Prompt)
            : IsBlank(chosen) ? new RowIssue(SkipReason.EmptyChosen, columns.Chosen)
            : IsBlank(rejected) ? new RowIssue(SkipReason.EmptyRejected, columns.Rejected)
            : chosen.Span.SequenceEqual(rejected.Span) ? new RowIssue(SkipReason.ChosenEqualsRejected, columns.Chosen, columns.Rejected)
            : null;

    /// <summary>Empty or whitespace-only text.</summary>
    public static bool IsBlank(ReadOnlyMemory<char> text) => text.Span.IsWhiteSpace();
}
