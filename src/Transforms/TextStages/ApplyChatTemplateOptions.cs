using XRight.Text;

namespace XRight.TextStages;

/// <summary>Options of <c>ApplyChatTemplate</c>, which renders conversational rows into prompt and response text.</summary>
public sealed record ApplyChatTemplateOptions
{
    /// <summary>
    /// The model's chat template (<c>ChatTemplate.FromTokenizerFolder(folder)</c>). Default: none, and
    /// <see cref="PromptTemplate"/> renders the conversations (see <see cref="ChatFormat"/>).
    /// </summary>
    public ChatTemplate? ChatTemplate { get; init; }

    /// <summary>The built-in template used when <see cref="ChatTemplate"/> is null. Default: <see cref="Text.PromptTemplate.UserAssistant"/>.</summary>
    public PromptTemplate PromptTemplate { get; init; } = PromptTemplate.UserAssistant;

    /// <summary>How the conversation columns are written. Default: <see cref="ConversationFormat.Messages"/>.</summary>
    public ConversationFormat InputFormat { get; init; } = ConversationFormat.Messages;

    /// <summary>
    /// Instruction data: true trains on every assistant turn of a conversation (TRL's <c>assistant_only_loss</c>): the
    /// prompt ends where the first assistant turn starts, and the <see cref="PostTrainingColumnNames.ResponseTargetSpans"/>
    /// column marks the assistant turns within the response, so the user turns between them are context, not targets.
    /// False trains on the final assistant turn only, with everything before it as the prompt. Default: false.
    /// </summary>
    public bool AssistantOnlyLoss { get; init; }

    /// <summary>
    /// The columns: <see cref="PostTrainingColumnNames.Messages"/> is read for instruction data and
    /// Prompt/Response (and ResponseTargetSpans) are written; Prompt (optional), Chosen and Rejected are read for
    /// preference data and replaced by their rendered text. Default: <see cref="PostTrainingColumnNames.Default"/>.
    /// </summary>
    public PostTrainingColumnNames Columns { get; init; } = PostTrainingColumnNames.Default;

    internal ApplyChatTemplateOptions Validated()
    {
        if (ChatTemplate is null && PromptTemplate is null)
            throw new ArgumentNullException(nameof(PromptTemplate), "ApplyChatTemplate: PromptTemplate must be set when ChatTemplate is null.");
        if (!Enum.IsDefined(InputFormat)) throw new ArgumentOutOfRangeException(nameof(InputFormat), InputFormat, "ApplyChatTemplate: unknown InputFormat.");
        ArgumentNullException.ThrowIfNull(Columns, "ApplyChatTemplate: Columns");
        Columns.Validate("ApplyChatTemplate.Columns");
        return this;
    }

    internal ChatFormat Format => ChatTemplate is { } template ? ChatFormat.Of(template) : ChatFormat.Of(PromptTemplate);
}
