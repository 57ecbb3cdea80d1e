namespace XRight.Text;

/// <summary>
/// Anthropic HH-RLHF transcripts, <c>"\n\nHuman: … \n\nAssistant: …"</c>, split into user and assistant turns.
/// </summary>
/// <remarks>
/// A transcript is a sequence of turns, each opened by <c>"\n\nHuman:"</c> or <c>"\n\nAssistant:"</c> (whitespace
/// before the first marker is allowed); a turn's content is the text up to the next marker with surrounding
/// whitespace removed. Turns must alternate, starting with Human. Only the final turn may be an empty Assistant
/// turn: the open turn a prompt ends with (<c>"…\n\nAssistant:"</c>), reported by <see cref="EndsWithOpenAssistantTurn"/>
/// and left out of <see cref="Messages"/>. Markers inside a turn that are not preceded by a blank line (such as
/// <c>"Human:"</c> at the start of a line) are content.
/// </remarks>
public sealed class HhTranscript
{
    /// <summary>The marker that opens a user turn.</summary>
    public const string HumanMarker = "\n\nHuman:";

    /// <summary>The marker that opens an assistant turn.</summary>
    public const string AssistantMarker = "\n\nAssistant:";

    private HhTranscript(IReadOnlyList<ChatMessage> messages, bool open)
    {
        Messages = messages;
        EndsWithOpenAssistantTurn = open;
    }

    /// <summary>The turns as <c>user</c> and <c>assistant</c> messages, the open final turn left out.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Whether the transcript ends with an empty <c>"\n\nAssistant:"</c> turn (a prompt awaiting the answer).</summary>
    public bool EndsWithOpenAssistantTurn { get; }

    /// <summary>Splits a transcript into turns.</summary>
    /// <param name="text">The transcript.</param>
    /// <param name="where">What the text is, for messages (for example <c>'hh.jsonl', row 3, column 'chosen'</c>).</param>
    /// <exception cref="FormatException">The transcript is malformed; the message names <paramref name="where"/>, the turn and the fault.</exception>
    public static HhTranscript Parse(string text, string where)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(where);
        // Whitespace before the first marker stands for its blank line.
        int start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start])) start++;
        var body = "\n\n" + text[start..];
        if (!body.StartsWith(HumanMarker, StringComparison.Ordinal))
            throw new FormatException($"{where}: an HH transcript must start with \"Human:\" (after optional whitespace); it starts with \"{Excerpt(text[start..])}\".");

        var messages = new List<ChatMessage>();
        bool open = false;
        int position = 0, turn = 0;
        while (position < body.Length)
        {
            bool human = body.AsSpan(position).StartsWith(HumanMarker, StringComparison.Ordinal);
            int contentStart = position + (human ? HumanMarker.Length : AssistantMarker.Length);
            int next = NextMarker(body, contentStart);
            var content = body[contentStart..next].Trim();
            var role = human ? "user" : "assistant";
            turn++;
            if (messages.Count > 0 && messages[^1].Role == role)
                throw new FormatException($"{where}: turn {turn} is a second {(human ? "Human" : "Assistant")} turn in a row; turns must alternate.");
            if (content.Length == 0)
            {
                if (human || next != body.Length)
                    throw new FormatException($"{where}: turn {turn} ({(human ? "Human" : "Assistant")}) is empty; only the final Assistant turn may be (an open turn).");
                open = true;
            }
            else
            {
                messages.Add(new ChatMessage(role, content));
            }
            position = next;
        }
        return new HhTranscript(messages, open);
    }

    // The next "\n\nHuman:" or "\n\nAssistant:" at or after from, or the end.
    private static int NextMarker(string body, int from)
    {
        int human = body.IndexOf(HumanMarker, from, StringComparison.Ordinal);
        int assistant = body.IndexOf(AssistantMarker, from, StringComparison.Ordinal);
        if (human < 0) return assistant < 0 ? body.Length : assistant;
        return assistant < 0 ? human : Math.Min(human, assistant);
    }

    private static string Excerpt(string text) => (text.Length > 20 ? text[..20] + "…" : text).Replace("\n", "\\n", StringComparison.Ordinal);
}
