namespace XRight.Text;

/// <summary>
/// A chat template could not be parsed or rendered. When the template itself gave up through
/// <c>raise_exception(msg)</c> (Hugging Face's <c>TemplateError</c>), <see cref="Exception.Message"/> is exactly
/// the template's message and <see cref="RaisedByTemplate"/> is true; otherwise the message names the line
/// and the construct at fault.
/// </summary>
public sealed class ChatTemplateException : Exception
{
    /// <summary>Creates the exception with a message of its own.</summary>
    public ChatTemplateException(string message) : base(message) { }

    /// <summary>Creates the exception with a message of its own and the error that caused it.</summary>
    public ChatTemplateException(string message, Exception innerException) : base(message, innerException) { }

    private ChatTemplateException(string message, int? line, bool raisedByTemplate) : base(message)
    {
        Line = line;
        RaisedByTemplate = raisedByTemplate;
    }

    /// <summary>The template line (1-based) at fault, when known.</summary>
    public int? Line { get; }

    /// <summary>Whether the template raised the error itself with <c>raise_exception</c>.</summary>
    public bool RaisedByTemplate { get; }

    /// <summary>An error of the template's syntax or evaluation at <paramref name="line"/>.</summary>
    internal static ChatTemplateException At(int line, string message) =>
        new($"Chat template line {line}: {message}", line, raisedByTemplate: false);

    /// <summary>The template's own <c>raise_exception(message)</c> at <paramref name="line"/>.</summary>
    internal static ChatTemplateException Raised(int line, string message) => new(message, line, raisedByTemplate: true);
}
