using System.Collections;

namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// A Python dict: insertion-ordered, keyed by hashable values (strings, numbers, bools, none, tuples) with
/// Python's key equality, so <c>1</c>, <c>1.0</c> and <c>true</c> are one key.
/// </summary>
internal sealed class PyDict : IEnumerable<KeyValuePair<object?, object?>>
{
    // Dictionary keys cannot be null; none is stored as this stand-in.
    private static readonly object NoneKey = new();

    // Entries in insertion order, and each key's position among them (entries are never removed).
    private readonly List<KeyValuePair<object, object?>> _entries = [];
    private readonly Dictionary<object, int> _positions = new(KeyComparer.Instance);

    public int Count => _entries.Count;

    public IEnumerable<object?> Keys => _entries.Select(pair => FromKey(pair.Key));

    public IEnumerable<object?> Values => _entries.Select(pair => pair.Value);

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
        if (!IsHashable(key) || !_positions.TryGetValue(ToKey(key), out int at)) return false;
        value = _entries[at].Value;
        return true;
    }

    /// <summary>Python's <c>key in dict</c>, which fails for a key that cannot be hashed.</summary>
    public bool ContainsKey(object? key) => _positions.ContainsKey(ToKey(RequireHashable(key)));

    /// <summary>Sets the value of a key; a new key goes last, an existing one keeps its place (as in Python).</summary>
    public void Set(object? key, object? value)
    {
        var stored = ToKey(RequireHashable(key));
        if (_positions.TryGetValue(stored, out int at))
            _entries[at] = new(_entries[at].Key, value);
        else
        {
            _positions[stored] = _entries.Count;
            _entries.Add(new(stored, value));
        }
    }

    public IEnumerator<KeyValuePair<object?, object?>> GetEnumerator() =>
        _entries.Select(pair => new KeyValuePair<object?, object?>(FromKey(pair.Key), pair.Value)).GetEnumerator();

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
