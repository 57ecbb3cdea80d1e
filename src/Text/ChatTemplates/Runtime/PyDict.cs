using System.Collections;

namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// A Python dict: insertion-ordered, keyed by hashable values (strings, numbers, bools, none, tuples) with
/// Python's key equality, so <c>1</c>, <c>1.0</c> and <c>true</c> are one key.
/// </summary>
internal sealed class PyDict : IEnumerable<KeyValuePair<object?, object?>>
{
    // OrderedDictionary does not take null keys; none is stored as this stand-in.
    private static readonly object NoneKey = new();

    private readonly OrderedDictionary<object, object?> _items = new(KeyComparer.Instance);

    public int Count => _items.Count;

    public IEnumerable<object?> Keys => _items.Keys.Select(FromKey);

    public IEnumerable<object?> Values => _items.Values;

    public static bool IsHashable(object? key) => key switch
    {
        null or bool or long or double or string => true,
        object?[] tuple => tuple.All(IsHashable),
        _ => false,
    };

    /// <summary>The value under <paramref name="key"/>; false also when the key cannot be a dict key.</summary>
    public bool TryGetValue(object? key, out object? value)
    {
        value = null;
        return IsHashable(key) && _items.TryGetValue(ToKey(key), out value);
    }

    /// <summary>Python's <c>key in dict</c>, which fails for a key that cannot be hashed.</summary>
    public bool ContainsKey(object? key) => _items.ContainsKey(ToKey(RequireHashable(key)));

    public void Set(object? key, object? value) => _items[ToKey(RequireHashable(key))] = value;

    public IEnumerator<KeyValuePair<object?, object?>> GetEnumerator() =>
        _items.Select(pair => new KeyValuePair<object?, object?>(FromKey(pair.Key), pair.Value)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static object? RequireHashable(object? key) =>
        IsHashable(key) ? key : throw new TemplateError($"unhashable type: '{Py.TypeName(key)}'");

    private static object ToKey(object? key) => key ?? NoneKey;

    private static object? FromKey(object key) => ReferenceEquals(key, NoneKey) ? null : key;

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => Py.Equal(FromKey(x!), FromKey(y!));

        public int GetHashCode(object key) => FromKey(key) switch
        {
            null => 0,
            string s => StringComparer.Ordinal.GetHashCode(s),
            bool b => b ? 1 : 0,
            long l => l.GetHashCode(),
            double d => d == Math.Floor(d) && Math.Abs(d) < 9.2e18 ? ((long)d).GetHashCode() : d.GetHashCode(),
            object?[] tuple => tuple.Aggregate(17, (hash, item) => hash * 31 + GetHashCode(item ?? NoneKey)),
            var other => other.GetHashCode(),
        };
    }
}
