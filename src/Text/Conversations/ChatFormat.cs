namespace XRight.Text;

/// <summary>A span of characters, <c>[Start, End)</c>.</summary>
/// <param name="Start">The first character.</param>
/// <param name="End">One past the last character.</param>
public readonly record struct TextSpan(int Start, int End)
{
    /// <summary>The number of characters.</summary>
    public int Length => End - Start;
}

/// <summary>
/// A rendered instruction conversation: the prompt text (up to where the model starts answering), the response
/// text after it, and the spans of the response that are the assistant's turns (the loss targets).
/// </summary>
/// <param name="Prompt">The rendered conversation up to the generation prompt of the first target turn.</param>
/// <param name="Response">The rest of the rendered conversation.</param>
/// <param name="Targets">The assistant turns' spans within <paramref name="Response"/>, in order; one span covering
/// the whole response unless assistant-only loss over several turns was asked for.</param>
public sealed record InstructionText(string Prompt, string Response, IReadOnlyList<TextSpan> Targets);

/// <summary>A rendered preference pair: the prompt with the generation prompt, and the two continuations.</summary>
/// <param name="Prompt">The rendered prompt conversation, ending with the opening of the assistant turn.</param>
/// <param name="Chosen">What the template adds for the chosen turn(s).</param>
/// <param name="Rejected">What the template adds for the rejected turn(s).</param>
public sealed record PreferenceText(string Prompt, string Chosen, string Rejected);

/// <summary>
/// How conversations become text: through a model's <see cref="Text.ChatTemplate"/>, or through a built-in
/// <see cref="Text.PromptTemplate"/> when there is none.
/// </summary>
/// <remarks>
/// <para><b>With a prompt template</b> a conversation must alternate user and assistant turns, starting with a user
/// turn (a system turn needs a chat template and is refused). A user turn renders as <c>template.Apply(content)</c>
/// (which ends with the opening of the assistant turn), an assistant turn as its content followed by the template's
/// end-of-turn token when it has one (ChatML's <c>&lt;|im_end|&gt;</c>, Llama 3's <c>&lt;|eot_id|&gt;</c>), and an assistant
/// turn followed by another turn is separated from it by a newline (none for Llama 3, whose headers need none).
/// So <c>[user "Hi", assistant "Hello"]</c> with <c>UserAssistant</c> is the prompt <c>"User: Hi\nAssistant: "</c> and
/// the response <c>"Hello"</c>, exactly what <c>FormatPrompt</c> gives for the plain row.</para>
/// <para><b>Splitting.</b> The prompt of a preference pair is rendered with the generation prompt, and the chosen
/// (rejected) text is what rendering prompt + chosen adds after it, as TRL does. An instruction conversation must
/// end with an assistant turn; the prompt is everything up to the generation prompt of the final assistant turn
/// (or, with assistant-only loss, of the first), and the target spans are found by rendering prefixes: the span of
/// assistant turn i runs from the end of <c>render(messages[..i], add_generation_prompt: true)</c> to the end of
/// <c>render(messages[..(i+1)])</c>, so it holds the turn's content and whatever the template writes to close it
/// (<c>&lt;|im_end|&gt;\n</c> for ChatML). A template whose renderings of a conversation's prefixes are not prefixes of
/// the whole rendering (one that rewrites earlier turns, for example) is refused for that conversation.</para>
/// </remarks>
public sealed class ChatFormat
{
    private ChatFormat(ChatTemplate? chatTemplate, PromptTemplate? promptTemplate)
    {
        ChatTemplate = chatTemplate;
        PromptTemplate = promptTemplate;
    }

    /// <summary>The model's chat template, or null when a prompt template is used.</summary>
    public ChatTemplate? ChatTemplate { get; }

    /// <summary>The built-in prompt template, or null when a chat template is used.</summary>
    public PromptTemplate? PromptTemplate { get; }

    /// <summary>Conversations rendered by a model's chat template.</summary>
    public static ChatFormat Of(ChatTemplate template) => new(template ?? throw new ArgumentNullException(nameof(template)), null);

    /// <summary>Conversations rendered by a built-in prompt template (see the remarks).</summary>
    public static ChatFormat Of(PromptTemplate template) => new(null, template ?? throw new ArgumentNullException(nameof(template)));

    /// <summary>The text of a conversation, optionally ending with the opening of an assistant turn.</summary>
    /// <exception cref="FormatException">A prompt template cannot render the conversation (a system turn, turns that do not alternate).</exception>
    /// <exception cref="ChatTemplateException">The chat template raised an error or failed.</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, string where = "the conversation")
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (ChatTemplate is not null) return ChatTemplate.Render(messages, addGenerationPrompt);
        var template = PromptTemplate!;
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var expected = i % 2 == 0 ? "user" : "assistant";
            if (message.Role != expected)
                throw new FormatException(message.Role == "system"
                    ? $"{where}: message {i} is a system message, which the prompt template {template.Name} cannot render; give the model's chat template."
                    : $"{where}: message {i} has the role '{message.Role}' where the prompt template {template.Name} expects '{expected}' (user and assistant turns alternate, starting with user).");
            if (message.Role == "user")
            {
                if (i > 0) text.Append(TurnSeparator(template));
                text.Append(template.Apply(message.Content));
            }
            else
            {
                text.Append(message.Content).Append(template.EndOfTurnToken);
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// Splits an instruction conversation, which must end with an assistant turn, into prompt and response text
    /// with the target spans (see the remarks).
    /// </summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="assistantOnlyLoss">True: the targets are every assistant turn (the prompt ends before the first one);
    /// false: the final assistant turn only.</param>
    /// <param name="where">What the conversation is, for messages.</param>
    /// <exception cref="FormatException">The conversation does not end with an assistant turn, has no turn before its
    /// first target turn, or the template's renderings of its prefixes are not prefixes of the whole.</exception>
    public InstructionText Instruction(IReadOnlyList<ChatMessage> messages, bool assistantOnlyLoss, string where = "the conversation")
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0 || messages[^1].Role != "assistant")
            throw new FormatException($"{where}: an instruction conversation must end with an assistant turn{(messages.Count == 0 ? "; it has no messages" : $"; its last message has the role '{messages[^1].Role}'")}.");
        var targets = assistantOnlyLoss
            ? Enumerable.Range(0, messages.Count).Where(i => messages[i].Role == "assistant").ToArray()
            : [messages.Count - 1];
        if (targets[0] == 0)
            throw new FormatException($"{where}: the conversation starts with an assistant turn, so there is no prompt before it.");

        var whole = Render(messages, addGenerationPrompt: false, where);
        var prompt = Render(Take(messages, targets[0]), addGenerationPrompt: true, where);
        RequirePrefix(prompt, whole, where, targets[0], "with the generation prompt");
        var spans = new List<TextSpan>();
        foreach (var i in targets)
        {
            var before = i == targets[0] ? prompt : Render(Take(messages, i), addGenerationPrompt: true, where);
            var through = i == messages.Count - 1 ? whole : Render(Take(messages, i + 1), addGenerationPrompt: false, where);
            RequirePrefix(before, through, where, i, "with the generation prompt");
            RequirePrefix(through, whole, where, i + 1, "");
            if (through.Length > before.Length) spans.Add(new TextSpan(before.Length - prompt.Length, through.Length - prompt.Length));
        }
        var response = whole[prompt.Length..];
        if (spans.Count == 0)
            throw new FormatException($"{where}: the template renders the assistant turns as nothing, so there is nothing to learn.");
        return new InstructionText(prompt, response, spans);
    }

    /// <summary>
    /// Renders a preference pair: the prompt with the generation prompt, and what prompt + chosen (rejected) adds
    /// after it. The prompt must not end with an assistant turn; chosen and rejected must start with one.
    /// </summary>
    /// <exception cref="FormatException">The turns do not fit that shape, or the template's rendering of the prompt is
    /// not a prefix of its rendering of prompt + answer.</exception>
    public PreferenceText Preference(IReadOnlyList<ChatMessage> prompt, IReadOnlyList<ChatMessage> chosen, IReadOnlyList<ChatMessage> rejected,
        string where = "the preference pair")
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        if (prompt.Count == 0) throw new FormatException($"{where}: the prompt has no messages.");
        if (prompt[^1].Role == "assistant") throw new FormatException($"{where}: the prompt ends with an assistant turn; the answers must follow a user turn.");
        foreach (var (answer, name) in new[] { (chosen, "chosen"), (rejected, "rejected") })
        {
            if (answer.Count == 0 || answer[0].Role != "assistant")
                throw new FormatException($"{where}: the {name} answer must start with an assistant turn{(answer.Count == 0 ? "; it has no messages" : $"; it starts with the role '{answer[0].Role}'")}.");
        }
        var promptText = Render(prompt, addGenerationPrompt: true, where);
        string Continuation(IReadOnlyList<ChatMessage> answer, string name)
        {
            var whole = Render([.. prompt, .. answer], addGenerationPrompt: false, where);
            if (!whole.StartsWith(promptText, StringComparison.Ordinal))
                throw new FormatException($"{where}: the template's rendering of the prompt with the generation prompt is not a prefix of its rendering of prompt + {name}, so the {name} text cannot be split off.");
            return whole[promptText.Length..];
        }
        return new PreferenceText(promptText, Continuation(chosen, "chosen"), Continuation(rejected, "rejected"));
    }

    /// <summary>
    /// The prompt, chosen and rejected turns of a conversational preference row, as TRL reads them: with a prompt,
    /// chosen and rejected are the answers; without one (null or empty), chosen and rejected are whole conversations
    /// and the prompt is the turns before the final assistant turn, which both must share exactly.
    /// </summary>
    /// <exception cref="FormatException">Without a prompt: a conversation does not end with an assistant turn, or the two
    /// do not share the turns before it (the message names the first differing turn).</exception>
    public static (IReadOnlyList<ChatMessage> Prompt, IReadOnlyList<ChatMessage> Chosen, IReadOnlyList<ChatMessage> Rejected) SplitPreference(
        IReadOnlyList<ChatMessage>? prompt, IReadOnlyList<ChatMessage> chosen, IReadOnlyList<ChatMessage> rejected, string where = "the preference pair")
    {
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        if (prompt is { Count: > 0 }) return (prompt, chosen, rejected);
        foreach (var (conversation, name) in new[] { (chosen, "chosen"), (rejected, "rejected") })
        {
            if (conversation.Count < 2 || conversation[^1].Role != "assistant")
                throw new FormatException($"{where}: without a prompt, {name} must be a whole conversation ending with an assistant turn after at least one other turn.");
        }
        var shared = chosen.Count - 1;
        for (int i = 0; i < Math.Max(shared, rejected.Count - 1); i++)
        {
            if (i >= shared || i >= rejected.Count - 1 || chosen[i] != rejected[i])
                throw new FormatException($"{where}: chosen and rejected differ before their final assistant turns (first at message {i}); they must share the prompt turns exactly.");
        }
        return (chosen.Take(shared).ToArray(), [chosen[^1]], [rejected[^1]]);
    }

    private static IReadOnlyList<ChatMessage> Take(IReadOnlyList<ChatMessage> messages, int count) => messages.Take(count).ToArray();

    private static void RequirePrefix(string prefix, string text, string where, int messages, string how)
    {
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
            throw new FormatException($"{where}: the template's rendering of the first {messages} message(s){(how.Length > 0 ? " " + how : "")} is not a prefix of its rendering of the longer conversation, so the turns cannot be told apart.");
    }

    private static string TurnSeparator(PromptTemplate template) => template.Name == nameof(Text.PromptTemplate.Llama3) ? "" : "\n";
}
