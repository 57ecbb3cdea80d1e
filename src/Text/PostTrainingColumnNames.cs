namespace XRight.Text;

/// <summary>
/// The column names of instruction and preference data, and of the columns XRight's stages add. One
/// record for every stage (reading, combining, tokenizing, training, scoring); names are case-sensitive.
/// </summary>
public sealed record PostTrainingColumnNames
{
    /// <summary>The value of the <see cref="Kind"/> column for instruction rows.</summary>
    public const string SftKind = "sft";

    /// <summary>The value of the <see cref="Kind"/> column for preference rows.</summary>
    public const string DpoKind = "dpo";

    /// <summary>The default names.</summary>
    public static PostTrainingColumnNames Default { get; } = new();

    /// <summary>The Int32 annotation on the tokens-fit column that holds the tokenizer stage's MaxLength.</summary>
    internal const string MaxLengthAnnotation = "XRight.MaxLength";

    /// <summary>The prompt column. Default: <c>Prompt</c>.</summary>
    public string Prompt { get; init; } = "Prompt";

    /// <summary>The response column of instruction data (and the generated text of a fitted model). Default: <c>Response</c>.</summary>
    public string Response { get; init; } = "Response";

    /// <summary>The preferred-response column of preference data. Default: <c>Chosen</c>.</summary>
    public string Chosen { get; init; } = "Chosen";

    /// <summary>The dispreferred-response column of preference data. Default: <c>Rejected</c>.</summary>
    public string Rejected { get; init; } = "Rejected";

    /// <summary>Which data set a row of a combined view came from: <see cref="SftKind"/> or <see cref="DpoKind"/>. Default: <c>Kind</c>.</summary>
    public string Kind { get; init; } = "Kind";

    /// <summary>The Boolean column of <c>TokenizeForCausalLm</c>: false where a row cannot fit its token budget. Default: <c>TokensFit</c>.</summary>
    public string TokensFit { get; init; } = "TokensFit";

    /// <summary>The conversation column of conversational instruction data: a JSON list of <c>{"role", "content"}</c> messages
    /// (or an HH transcript), which <c>ApplyChatTemplate</c> turns into the prompt and response columns. Default: <c>Messages</c>.</summary>
    public string Messages { get; init; } = "Messages";

    /// <summary>The Int32 vector column of <c>ApplyChatTemplate</c> with assistant-only loss: the character spans
    /// (start, end, start, end, …) of the response text that are assistant turns. Default: <c>ResponseTargetSpans</c>.</summary>
    public string ResponseTargetSpans { get; init; } = "ResponseTargetSpans";

    /// <summary>The Boolean vector column of <c>TokenizeForCausalLm</c> made from <see cref="ResponseTargetSpans"/>: per
    /// response token, whether it is a loss target. Default: <c>ResponseLossMask</c>.</summary>
    public string ResponseLossMask { get; init; } = "ResponseLossMask";

    /// <summary>The Boolean column of <c>TokenizeForCausalLm</c>: true where the prompt was cut to fit the token budget.
    /// Default: <c>PromptTruncated</c>.</summary>
    public string PromptTruncated { get; init; } = "PromptTruncated";

    /// <summary>The token column made from a text column: its name + <c>Tokens</c>.</summary>
    public static string TokensOf(string textColumn) => textColumn + "Tokens";

    /// <summary>The four text columns: prompt, response, chosen, rejected.</summary>
    public IReadOnlyList<string> TextColumns => [Prompt, Response, Chosen, Rejected];

    /// <summary>Throws naming the first empty name, or text columns that share a name.</summary>
    /// <param name="owner">The options path the names belong to, for the message.</param>
    public void Validate(string owner)
    {
        foreach (var (name, value) in new[] { (nameof(Prompt), Prompt), (nameof(Response), Response), (nameof(Chosen), Chosen),
                     (nameof(Rejected), Rejected), (nameof(Kind), Kind), (nameof(TokensFit), TokensFit), (nameof(Messages), Messages),
                     (nameof(ResponseTargetSpans), ResponseTargetSpans), (nameof(ResponseLossMask), ResponseLossMask), (nameof(PromptTruncated), PromptTruncated) })
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{owner}.{name} must name a column; found '{value}'.", $"{owner}.{name}");
        if (TextColumns.Distinct(StringComparer.Ordinal).Count() != TextColumns.Count)
            throw new ArgumentException($"{owner}: the prompt, response, chosen and rejected columns must differ, got {string.Join(", ", TextColumns)}.", owner);
        string[] added = [.. TextColumns, Messages, ResponseTargetSpans, ResponseLossMask, PromptTruncated, TokensFit, Kind];
        if (added.Distinct(StringComparer.Ordinal).Count() != added.Length)
            throw new ArgumentException($"{owner}: the column names must differ, got {string.Join(", ", added)}.", owner);
    }
}
