namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Variables visible at one point of a template, looked up through the enclosing scopes. The globals are
/// outermost, then the render variables (where a top-level <c>set</c> writes), then one scope per loop
/// iteration and per <c>with</c>/<c>filter</c>/<c>set</c> block; <c>if</c> opens none.
/// </summary>
internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public Scope? Parent { get; } = parent;

    public bool TryGet(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables.TryGetValue(name, out value)) return true;
        }
        value = null;
        return false;
    }

    public void Set(string name, object? value) => _variables[name] = value;

    public Scope Child() => new(this);
}
