using System.Globalization;
using System.Text;

namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Python's <c>json.dumps</c>, which Hugging Face's <c>tojson</c> filter calls with <c>ensure_ascii=False</c>:
/// separators <c>", "</c> and <c>": "</c> (<c>","</c> and a newline with <c>indent</c>), keys in insertion order,
/// floats as Python prints them, no HTML escaping.
/// </summary>
internal sealed class PyJson
{
    private const int MaxDepth = 500;

    private readonly StringBuilder _text = new();
    private readonly bool _ensureAscii;
    private readonly string? _indent;
    private readonly string _itemSeparator;
    private readonly string _keySeparator;
    private readonly bool _sortKeys;

    private PyJson(bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys)
    {
        _ensureAscii = ensureAscii;
        _indent = indent;
        _itemSeparator = itemSeparator;
        _keySeparator = keySeparator;
        _sortKeys = sortKeys;
    }

    /// <param name="value">What to serialize.</param>
    /// <param name="ensureAscii">Whether non-ASCII characters are escaped as <c>\uXXXX</c>.</param>
    /// <param name="indent">The indentation per level, or null for one line.</param>
    /// <param name="separators">The item and key separators, or null for Python's defaults.</param>
    /// <param name="sortKeys">Whether object keys are sorted.</param>
    public static string Dumps(object? value, bool ensureAscii, string? indent, (string Item, string Key)? separators, bool sortKeys)
    {
        var (item, key) = separators ?? (indent is null ? (", ", ": ") : (",", ": "));
        var json = new PyJson(ensureAscii, indent, item, key, sortKeys);
        json.Write(value, 0);
        return json._text.ToString();
    }

    private void Write(object? value, int depth)
    {
        if (depth > MaxDepth) throw new TemplateError($"a value nested more than {MaxDepth} deep cannot be serialized");
        switch (value)
        {
            case null: _text.Append("null"); break;
            case bool b: _text.Append(b ? "true" : "false"); break;
            case long l: _text.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: _text.Append(Number(d)); break;
            case string s: WriteString(s); break;
            case List<object?> list: WriteArray(list, depth); break;
            case object?[] tuple: WriteArray(tuple, depth); break;
            case PyDict dict: WriteObject(dict, depth); break;
            default: throw new TemplateError($"Object of type {Py.TypeName(value)} is not JSON serializable");
        }
    }

    private static string Number(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyFormat.FloatRepr(d);

    private void WriteArray(IReadOnlyList<object?> items, int depth)
    {
        if (items.Count == 0)
        {
            _text.Append("[]");
            return;
        }
        _text.Append('[');
        for (int i = 0; i < items.Count; i++)
        {
            Separate(i > 0, depth + 1);
            Write(items[i], depth + 1);
        }
        NewLine(depth);
        _text.Append(']');
    }

    private void WriteObject(PyDict dict, int depth)
    {
        if (dict.Count == 0)
        {
            _text.Append("{}");
            return;
        }
        IEnumerable<KeyValuePair<object?, object?>> ordered = dict;
        if (_sortKeys) ordered = dict.OrderBy(pair => pair.Key, Comparer<object?>.Create((a, b) => Py.Compare(a, b)));
        var pairs = ordered.Select(pair => (Key: KeyText(pair.Key), pair.Value)).ToList();
        _text.Append('{');
        for (int i = 0; i < pairs.Count; i++)
        {
            Separate(i > 0, depth + 1);
            WriteString(pairs[i].Key);
            _text.Append(_keySeparator);
            Write(pairs[i].Value, depth + 1);
        }
        NewLine(depth);
        _text.Append('}');
    }

    // Keys become strings as Python converts them; other keys are an error.
    private static string KeyText(object? key) => key switch
    {
        string s => s,
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Number(d),
        _ => throw new TemplateError($"keys must be str, int, float, bool or None, not {Py.TypeName(key)}"),
    };

    private void Separate(bool afterItem, int depth)
    {
        if (afterItem) _text.Append(_itemSeparator);
        NewLine(depth);
    }

    private void NewLine(int depth)
    {
        if (_indent is null) return;
        _text.Append('\n');
        for (int i = 0; i < depth; i++) _text.Append(_indent);
    }

    private void WriteString(string s)
    {
        _text.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': _text.Append("\\\""); break;
                case '\\': _text.Append("\\\\"); break;
                case '\n': _text.Append("\\n"); break;
                case '\r': _text.Append("\\r"); break;
                case '\t': _text.Append("\\t"); break;
                case '\b': _text.Append("\\b"); break;
                case '\f': _text.Append("\\f"); break;
                default:
                    if (c < 0x20 || (_ensureAscii && c > 0x7e))
                        _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        _text.Append(c);
                    break;
            }
        }
        _text.Append('"');
    }
}
