namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Jinja's <c>namespace(...)</c>: the one mutable object of a template. Its attributes can be assigned with
/// <c>{% set ns.x = … %}</c> from inside a loop, where a plain <c>set</c> would not outlive the iteration.
/// </summary>
internal sealed class Namespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
