using XRight.Text.ChatTemplates;
using XRight.Text.ChatTemplates.Runtime;
using XRight.Text.ChatTemplates.Syntax;

namespace XRight.Text;

/// <summary>
/// A model's chat template: the Jinja template a Hugging Face model folder defines, rendered exactly as
/// transformers' <c>apply_chat_template(messages, tokenize=False, add_generation_prompt=…)</c> renders it.
/// </summary>
/// <remarks>
/// A sandboxed interpreter of the Jinja subset chat templates use (see the README, "Chat templates"): it reads
/// only the values it is given, never files or .NET members, and bounds loop iterations and output size
/// (<see cref="ChatTemplateLimits"/>). Any construct outside that subset is refused when the template is parsed,
/// with the line and the construct named. The template sees <c>messages</c>, <c>add_generation_prompt</c>,
/// <c>tools</c> and <c>documents</c> (none unless given in <c>extra</c>), the special tokens of the tokenizer
/// configuration (<c>bos_token</c>, <c>eos_token</c>, …, <c>additional_special_tokens</c>), the values in
/// <c>extra</c>, and the functions <c>raise_exception</c>, <c>strftime_now</c>, <c>range</c>, <c>dict</c> and <c>namespace</c>.
/// </remarks>
public sealed class ChatTemplate
{
    private static readonly string[] ReservedVariables = ["messages", "add_generation_prompt"];

    private readonly IReadOnlyList<Stmt> _body;

    private ChatTemplate(string source, IReadOnlyList<Stmt> body, IReadOnlyDictionary<string, string> specialTokens,
        IReadOnlyList<string> additionalSpecialTokens, ChatTemplateLimits limits, TimeProvider clock)
    {
        Source = source;
        _body = body;
        SpecialTokens = specialTokens;
        AdditionalSpecialTokens = additionalSpecialTokens;
        Limits = limits;
        Clock = clock;
    }

    /// <summary>The template's Jinja source.</summary>
    public string Source { get; }

    /// <summary>The special tokens the template sees by role name (<c>bos_token</c>, <c>eos_token</c>, <c>unk_token</c>, <c>sep_token</c>, <c>pad_token</c>, <c>cls_token</c>, <c>mask_token</c>); roles without a token are absent, hence undefined.</summary>
    public IReadOnlyDictionary<string, string> SpecialTokens { get; }

    /// <summary>The template's <c>additional_special_tokens</c>; when empty the variable is undefined.</summary>
    public IReadOnlyList<string> AdditionalSpecialTokens { get; }

    /// <summary>The bounds on one rendering.</summary>
    public ChatTemplateLimits Limits { get; }

    /// <summary>The clock <c>strftime_now</c> reads (local time); the system clock unless replaced with <see cref="WithClock"/>.</summary>
    public TimeProvider Clock { get; }

    /// <summary>A template from its Jinja source, with the special tokens it sees (keys such as <c>bos_token</c>).</summary>
    /// <exception cref="ChatTemplateException">A syntax error, or a construct that is not supported.</exception>
    public static ChatTemplate Parse(string source, IReadOnlyDictionary<string, string>? specialTokens = null, IReadOnlyList<string>? additionalSpecialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (role, token) in specialTokens ?? new Dictionary<string, string>())
        {
            if (!string.IsNullOrEmpty(token)) tokens[role] = token;
        }
        return new ChatTemplate(source, TemplateParser.Parse(source), tokens, additionalSpecialTokens?.ToArray() ?? [],
            ChatTemplateLimits.Default, TimeProvider.System);
    }

    /// <summary>
    /// The chat template of a Hugging Face model or tokenizer folder: <c>chat_template.jinja</c>, else
    /// <c>chat_template.json</c>, else the <c>"chat_template"</c> of <c>tokenizer_config.json</c>, with the special
    /// tokens of <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>.
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="templateName">A named template (<c>additional_chat_templates/&lt;name&gt;.jinja</c>, or an entry of a
    /// <c>"chat_template"</c> list, such as <c>tool_use</c>); null for the default one.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder has no chat template, or a file is malformed.</exception>
    /// <exception cref="ChatTemplateException">The template has a syntax error or an unsupported construct.</exception>
    public static ChatTemplate FromTokenizerFolder(string folder, string? templateName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The tokenizer folder '{folder}' does not exist.");
        return FromFiles(ChatTemplateFiles.Read(folder, Path.Combine(folder, ChatTemplateFiles.TokenizerConfigJson), templateName));
    }

    /// <summary>
    /// The chat template of a <c>tokenizer_config.json</c>, read as <see cref="FromTokenizerFolder"/> reads its folder:
    /// a <c>chat_template.jinja</c> beside it comes first.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">No chat template is found, or a file is malformed.</exception>
    /// <exception cref="ChatTemplateException">The template has a syntax error or an unsupported construct.</exception>
    public static ChatTemplate FromTokenizerConfig(string path, string? templateName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The tokenizer configuration '{path}' does not exist.", path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return FromFiles(ChatTemplateFiles.Read(folder, path, templateName));
    }

    private static ChatTemplate FromFiles(ChatTemplateFiles files)
    {
        try
        {
            return Parse(files.Source, files.SpecialTokens, files.AdditionalSpecialTokens);
        }
        catch (ChatTemplateException e) when (!e.RaisedByTemplate)
        {
            throw new ChatTemplateException($"{files.Origin}: {e.Message}", e);
        }
    }

    /// <summary>The same template reading <paramref name="clock"/> for <c>strftime_now</c>.</summary>
    public ChatTemplate WithClock(TimeProvider clock) =>
        new(Source, _body, SpecialTokens, AdditionalSpecialTokens, Limits, clock ?? throw new ArgumentNullException(nameof(clock)));

    /// <summary>The same template rendering under <paramref name="limits"/>.</summary>
    public ChatTemplate WithLimits(ChatTemplateLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.MaxLoopIterations < 0 || limits.MaxOutputLength < 0) throw new ArgumentOutOfRangeException(nameof(limits), "Limits cannot be negative.");
        return new(Source, _body, SpecialTokens, AdditionalSpecialTokens, limits, Clock);
    }

    /// <summary>Renders a conversation, as <c>apply_chat_template(messages, tokenize=False, add_generation_prompt=…)</c>.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="addGenerationPrompt">Whether to end with the opening of an assistant turn.</param>
    /// <param name="extra">Further template variables (<c>tools</c>, <c>documents</c>, <c>date_string</c>, …), which
    /// also override special tokens. Values may be strings, numbers, booleans, null, dictionaries with string keys,
    /// lists, <see cref="ChatMessage"/>s and JSON values.</param>
    /// <exception cref="ChatTemplateException">The template raised an error (then the message is the template's own), or failed.</exception>
    /// <exception cref="ArgumentException"><paramref name="extra"/> sets <c>messages</c> or <c>add_generation_prompt</c>, or holds a value of another type.</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false, IReadOnlyDictionary<string, object?>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var globals = new Scope(null);
        foreach (var (name, function) in Globals.All()) globals.Set(name, function);
        var variables = globals.Child();
        foreach (var (role, token) in SpecialTokens) variables.Set(role, token);
        if (AdditionalSpecialTokens.Count > 0) variables.Set("additional_special_tokens", AdditionalSpecialTokens.Cast<object?>().ToList());
        variables.Set("messages", messages.Select(m => (object?)ValueConversion.Message(m ?? throw new ArgumentException("A message is null.", nameof(messages)))).ToList());
        variables.Set("add_generation_prompt", addGenerationPrompt);
        // transformers passes tools=None and documents=None when there are none.
        variables.Set("tools", null);
        variables.Set("documents", null);
        foreach (var (name, value) in extra ?? new Dictionary<string, object?>())
        {
            if (ReservedVariables.Contains(name))
                throw new ArgumentException($"'{name}' is set by Render's own arguments and cannot be given in extra.", nameof(extra));
            variables.Set(name, ValueConversion.FromDotNet(value, name));
        }
        return Interpreter.Render(_body, variables, new RenderState(Limits, Clock));
    }
}
