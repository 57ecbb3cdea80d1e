namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// A lazy, single-use sequence: what Jinja's <c>select</c>, <c>selectattr</c>, <c>map</c>, <c>reverse</c> (of a list)
/// and <c>items</c> return. As a Python generator it is always true, has no length and no items by index, and
/// is used up by iterating it once. Templates apply <c>|list</c> when they need more.
/// </summary>
internal sealed class GeneratorValue(IEnumerable<object?> source)
{
    private readonly IEnumerator<object?> _items = source.GetEnumerator();

    /// <summary>The items not yet consumed, consuming them.</summary>
    public IEnumerable<object?> Consume()
    {
        while (_items.MoveNext()) yield return _items.Current;
    }
}
