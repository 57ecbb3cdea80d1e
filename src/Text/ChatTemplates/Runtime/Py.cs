namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Python's meaning for the template's values, which are plain .NET objects: <c>null</c> is None, <c>bool</c>,
/// <c>long</c> (int), <c>double</c> (float), <c>string</c> (str, counted in code points), <c>List&lt;object?&gt;</c>
/// (list), <c>object?[]</c> (tuple), <see cref="PyDict"/> (dict), plus Jinja's <see cref="Undefined"/>,
/// <see cref="Namespace"/>, <see cref="LoopContext"/>, <see cref="GeneratorValue"/>, <see cref="DictView"/> and callables.
/// Here: truth, type names, equality, ordering, membership, iteration and length.
/// </summary>
internal static class Py
{
    public static bool IsNumber(object? value) => value is long or double or bool;

    public static bool IsTrue(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        object?[] tuple => tuple.Length > 0,
        PyDict dict => dict.Count > 0,
        DictView view => view.Items.Count > 0,
        _ => true,
    };

    /// <summary>Python's name for the value's type, as error messages use it.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        object?[] => "tuple",
        PyDict => "dict",
        DictView view => view.Kind,
        Undefined => "Undefined",
        Namespace => "Namespace",
        LoopContext => "LoopContext",
        GeneratorValue => "generator",
        ITemplateCallable => "builtin_function_or_method",
        _ => value.GetType().Name,
    };

    /// <summary>How Jinja names the owner of a missing attribute: <c>dict object</c>, <c>None</c>, …</summary>
    public static string ObjectTypeRepr(object? value) => value switch
    {
        null => "None",
        Namespace => "jinja2.utils.Namespace object",
        LoopContext => "jinja2.runtime.LoopContext object",
        _ => $"{TypeName(value)} object",
    };

    public static double ToDouble(object? number) => number switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => d,
        _ => throw new InvalidOperationException("not a number"),
    };

    public static long ToLong(object? integer) => integer switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        _ => throw new InvalidOperationException("not an integer"),
    };

    /// <summary>Python's <c>==</c>; an undefined value equals only another undefined value.</summary>
    public static bool Equal(object? a, object? b)
    {
        if (a is Undefined || b is Undefined) return a is Undefined && b is Undefined;
        if (a is null || b is null) return a is null && b is null;
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? ToDouble(a) == ToDouble(b) : ToLong(a) == ToLong(b);
        return (a, b) switch
        {
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (List<object?> x, List<object?> y) => SequenceEqual(x, y),
            (object?[] x, object?[] y) => SequenceEqual(x, y),
            (PyDict x, PyDict y) => x.Count == y.Count && x.All(pair => y.TryGetValue(pair.Key, out var other) && Equal(pair.Value, other)),
            _ => ReferenceEquals(a, b),
        };
    }

    private static bool SequenceEqual(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (!Equal(a[i], b[i])) return false;
        }
        return true;
    }

    /// <summary>Python's <c>&lt; &gt; &lt;=  &gt;=</c>: numbers, strings (by code point) and sequences of the same kind.</summary>
    public static bool Order(string op, object? a, object? b)
    {
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double || b is double)
            {
                double x = ToDouble(a), y = ToDouble(b);
                return op switch { "<" => x < y, ">" => x > y, "<=" => x <= y, _ => x >= y };
            }
            long i = ToLong(a), j = ToLong(b);
            return op switch { "<" => i < j, ">" => i > j, "<=" => i <= j, _ => i >= j };
        }
        int order = Compare(a, b, op);
        return op switch { "<" => order < 0, ">" => order > 0, "<=" => order <= 0, _ => order >= 0 };
    }

    /// <summary>Python's ordering as a sign, for sorting; fails for values Python cannot order.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a).CompareTo(ToDouble(b));
        return (a, b) switch
        {
            (string x, string y) => PyStr.CompareCodePoints(x, y),
            (List<object?> x, List<object?> y) => CompareSequences(x, y, op),
            (object?[] x, object?[] y) => CompareSequences(x, y, op),
            _ => throw new TemplateError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'"),
        };
    }

    private static int CompareSequences(IReadOnlyList<object?> a, IReadOnlyList<object?> b, string op)
    {
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            if (!Equal(a[i], b[i])) return Compare(a[i], b[i], op);
        }
        return a.Count.CompareTo(b.Count);
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string sub
            ? s.Contains(sub, StringComparison.Ordinal)
            : throw new TemplateError($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        PyDict dict => dict.ContainsKey(item),
        List<object?> or object?[] or DictView or GeneratorValue or Undefined => Iterate(container).Any(element => Equal(element, item)),
        _ => throw new TemplateError($"argument of type '{TypeName(container)}' is not iterable"),
    };

    /// <summary>Python's <c>iter(value)</c>: items, characters (code points) or dict keys; undefined iterates as empty.</summary>
    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        object?[] tuple => tuple,
        string s => PyStr.Characters(s),
        PyDict dict => dict.Keys,
        DictView view => view.Items,
        GeneratorValue generator => generator.Consume(),
        Undefined => [],
        _ => throw new TemplateError($"'{TypeName(value)}' object is not iterable"),
    };

    public static bool IsIterable(object? value) =>
        value is List<object?> or object?[] or string or PyDict or DictView or GeneratorValue or Undefined;

    /// <summary>Python's <c>len(value)</c>; undefined has length 0.</summary>
    public static long Length(object? value) => value switch
    {
        string s => PyStr.Length(s),
        List<object?> list => list.Count,
        object?[] tuple => tuple.Length,
        PyDict dict => dict.Count,
        DictView view => view.Items.Count,
        Undefined => 0,
        _ => throw new TemplateError($"object of type '{TypeName(value)}' has no len()"),
    };
}
