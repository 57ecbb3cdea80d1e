using System.Text;

namespace XRight.Text;

/// <summary>
/// How a raw prompt is wrapped before tokenization, e.g. <c>"User: {prompt}\nAssistant: "</c>.
/// A template is stored as a string (<see cref="ToString"/>) and restored with <see cref="Parse"/>.
/// </summary>
public sealed class PromptTemplate
{
    private const string Placeholder = "{prompt}";

    private readonly string _prefix;
    private readonly string _suffix;

    private PromptTemplate(string name, string format, string? endOfTurnToken, bool predefined)
    {
        (_prefix, _suffix) = SplitFormat(format);
        Name = name;
        Format = format;
        EndOfTurnToken = endOfTurnToken;
        IsPredefined = predefined;
    }

    /// <summary>The reference code's template, <c>"User: {prompt}\nAssistant: "</c>; the default.</summary>
    public static PromptTemplate UserAssistant { get; } = new(nameof(UserAssistant), "User: {prompt}\nAssistant: ", null, predefined: true);

    /// <summary>The prompt as is.</summary>
    public static PromptTemplate Raw { get; } = new(nameof(Raw), Placeholder, null, predefined: true);

    /// <summary>A ChatML user turn followed by the opening of the assistant turn; turns end with <c>&lt;|im_end|&gt;</c>.</summary>
    public static PromptTemplate ChatMl { get; } = new(nameof(ChatMl),
        "<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n", "<|im_end|>", predefined: true);

    /// <summary>
    /// A Llama-3 user turn followed by the assistant header; turns end with <c>&lt;|eot_id|&gt;</c>.
    /// The BOS token is not part of the text: the tokenizer adds it.
    /// </summary>
    public static PromptTemplate Llama3 { get; } = new(nameof(Llama3),
        "<|start_header_id|>user<|end_header_id|>\n\n{prompt}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", "<|eot_id|>", predefined: true);

    /// <summary>The template used when none is given: <see cref="UserAssistant"/>.</summary>
    public static PromptTemplate Default => UserAssistant;

    /// <summary>The predefined templates.</summary>
    public static IReadOnlyList<PromptTemplate> Predefined { get; } = [UserAssistant, Raw, ChatMl, Llama3];

    /// <summary>The template's name: that of a predefined template, or <c>Custom</c>.</summary>
    public string Name { get; }

    /// <summary>The format: the text around exactly one <c>{prompt}</c>, with literal braces doubled (<c>{{</c>, <c>}}</c>).</summary>
    public string Format { get; }

    /// <summary>The text that closes a turn in this chat format (<c>&lt;|im_end|&gt;</c> for ChatML), or null when it has none.</summary>
    public string? EndOfTurnToken { get; }

    /// <summary>Whether this is one of the <see cref="Predefined"/> templates.</summary>
    public bool IsPredefined { get; }

    /// <summary>A template from a format with exactly one <c>{prompt}</c>; write <c>{{</c> and <c>}}</c> for literal braces.</summary>
    /// <exception cref="ArgumentException">The format has no <c>{prompt}</c>, more than one, or a single brace.</exception>
    public static PromptTemplate Custom(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return new PromptTemplate("Custom", format, null, predefined: false);
    }

    /// <summary>
    /// The template stored as <paramref name="nameOrFormat"/>: the name of a predefined template
    /// (case-insensitive), or a custom format with <c>{prompt}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The text is neither.</exception>
    public static PromptTemplate Parse(string nameOrFormat)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrFormat);
        var predefined = Predefined.FirstOrDefault(t => string.Equals(t.Name, nameOrFormat, StringComparison.OrdinalIgnoreCase));
        if (predefined is not null) return predefined;
        if (!nameOrFormat.Contains(Placeholder, StringComparison.Ordinal))
            throw new ArgumentException(
                $"'{nameOrFormat}' is neither a template name ({string.Join(", ", Predefined.Select(t => t.Name))}) nor a format with {Placeholder}.",
                nameof(nameOrFormat));
        return Custom(nameOrFormat);
    }

    /// <summary>The prompt wrapped in the template.</summary>
    public string Apply(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return string.Concat(_prefix, prompt, _suffix);
    }

    /// <summary>The string <see cref="Parse"/> restores this template from: the name of a predefined template, else the format.</summary>
    public override string ToString() => IsPredefined ? Name : Format;

    // The literal text before and after the one {prompt}, with doubled braces undoubled.
    private static (string Prefix, string Suffix) SplitFormat(string format)
    {
        var parts = new[] { new StringBuilder(), new StringBuilder() };
        var placeholders = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{' && string.CompareOrdinal(format, i, Placeholder, 0, Placeholder.Length) == 0)
            {
                if (++placeholders > 1)
                    throw new ArgumentException($"The prompt format '{format}' has more than one {Placeholder}.", nameof(format));
                i += Placeholder.Length - 1;
            }
            else if (c is '{' or '}')
            {
                if (i + 1 >= format.Length || format[i + 1] != c)
                    throw new ArgumentException(
                        $"The prompt format '{format}' has a single '{c}' at position {i}; write '{c}{c}' for a literal brace.", nameof(format));
                parts[placeholders].Append(c);
                i++;
            }
            else
            {
                parts[placeholders].Append(c);
            }
        }
        if (placeholders == 0)
            throw new ArgumentException($"The prompt format '{format}' has no {Placeholder}.", nameof(format));
        return (parts[0].ToString(), parts[1].ToString());
    }
}
