namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// What <c>dict.items()</c>, <c>.keys()</c> and <c>.values()</c> return: a snapshot that iterates, has a length
/// and supports <c>in</c>, and prints as Python prints it (<c>dict_items([('a', 1)])</c>).
/// </summary>
internal sealed class DictView(string kind, List<object?> items)
{
    /// <summary><c>dict_items</c>, <c>dict_keys</c> or <c>dict_values</c>.</summary>
    public string Kind { get; } = kind;

    public List<object?> Items { get; } = items;
}
