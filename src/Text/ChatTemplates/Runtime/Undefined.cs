namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Jinja's default <c>Undefined</c>: what a missing variable, attribute or item evaluates to. It prints as
/// the empty string, is false, iterates as empty and has length 0; <c>is defined</c> is false. Anything
/// that needs a real value (arithmetic, an attribute or item of it, calling it, serializing it) fails with
/// <see cref="Hint"/>, which says what was missing.
/// </summary>
internal sealed class Undefined(string hint)
{
    /// <summary>Why the value is undefined, e.g. <c>'x' is undefined</c> or <c>'dict object' has no attribute 'y'</c>.</summary>
    public string Hint { get; } = hint;

    public static Undefined Variable(string name) => new($"'{name}' is undefined");

    public static Undefined Attribute(object? owner, string name) => new($"'{Py.ObjectTypeRepr(owner)}' has no attribute '{name}'");

    public static Undefined Element(object? owner, object? key) =>
        key is string name ? Attribute(owner, name) : new($"{Py.ObjectTypeRepr(owner)} has no element {PyFormat.Repr(key)}");

    /// <summary>What the sandbox gives for a method that would modify a value (list.append, dict.update, …).</summary>
    public static Undefined Unsafe(object? owner, string name) =>
        new($"access to attribute '{name}' of '{Py.TypeName(owner)}' object is unsafe.");

    public TemplateError Fail() => new(Hint);
}
