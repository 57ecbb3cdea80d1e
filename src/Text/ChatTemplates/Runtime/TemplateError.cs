namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// An error while evaluating, raised without a line; the interpreter adds the line of the construct being
/// evaluated and turns it into a <see cref="ChatTemplateException"/>. The messages follow Python's and Jinja's
/// wording (<c>'x' is undefined</c>, <c>can only concatenate str (not "int") to str</c>) so they read familiar.
/// </summary>
internal class TemplateError(string message) : Exception(message);

/// <summary>The template's own <c>raise_exception(message)</c>; its message passes through unchanged.</summary>
internal sealed class RaisedByTemplateError(string message) : TemplateError(message);
