using XRight.Text;

namespace XRight.Tests.ChatTemplates;

/// <summary>Helpers shared by the chat-template tests: conversations, a fixed clock, one-line rendering.</summary>
internal static class ChatTemplateTestKit
{
    /// <summary>The folder of the real templates in the shared assets (skips the test when absent).</summary>
    public static string RealTemplate(string family) => SharedAssets.Require($"tokenizers/chat-templates/{family}");

    public static ChatMessage[] Conversation(params (string Role, string Content)[] turns) =>
        turns.Select(turn => new ChatMessage(turn.Role, turn.Content)).ToArray();

    /// <summary>Renders a template source with no messages, the given variables and special tokens.</summary>
    public static string Render(string source, IReadOnlyDictionary<string, object?>? variables = null, ChatMessage[]? messages = null,
        IReadOnlyDictionary<string, string>? specialTokens = null, bool addGenerationPrompt = false) =>
        ChatTemplate.Parse(source, specialTokens).Render(messages ?? [], addGenerationPrompt, variables);

    /// <summary>The error a template raises when parsed or rendered.</summary>
    public static ChatTemplateException Failure(string source, IReadOnlyDictionary<string, object?>? variables = null, ChatMessage[]? messages = null) =>
        Assert.ThrowsExactly<ChatTemplateException>(() => Render(source, variables, messages));

    public static Dictionary<string, object?> Vars(params (string Name, object? Value)[] pairs) =>
        pairs.ToDictionary(pair => pair.Name, pair => pair.Value);
}

/// <summary>A clock that always reads one local time (the time zone is UTC, so local and universal agree).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public FixedClock(int year, int month, int day, int hour = 0, int minute = 0)
        : this(new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() => now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}

/// <summary>Conversations the family tests share; the expected renderings are written out in each test.</summary>
internal static class Conversations
{
    public static readonly ChatMessage[] MultiTurn = ChatTemplateTestKit.Conversation(
        ("user", "What is 2 + 2?"), ("assistant", "2 + 2 = 4."), ("user", "And times 3?"));

    public const string NonAscii = "Grüße aus Köln — 日本語のテキスト 🎉";

    /// <summary>Message text that looks like template syntax; it must come out as written.</summary>
    public const string TemplateSyntax = "Keep {{ x }}, {% if y %}{% endif %} and {# z #} as written.";
}
