using System.Globalization;
using System.Text;

namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// The filters (<c>value | name(args)</c>) a chat template may use, each as Jinja 3.1 defines it, with
/// <c>tojson</c> as Hugging Face replaces it (<c>json.dumps</c> with <c>ensure_ascii=False</c>, no HTML escaping).
/// Other Jinja filters are refused when the template is parsed.
/// </summary>
internal static class JinjaFilters
{
    private delegate object? FilterBody(object? value, BoundArguments args, RenderState state);

    private sealed record Filter(Signature Signature, FilterBody Body);

    private static readonly Signature NoArguments = new();

    private static readonly Dictionary<string, Filter> All = new(StringComparer.Ordinal)
    {
        ["abs"] = new(NoArguments, (value, _, _) => Abs(value)),
        ["capitalize"] = new(NoArguments, (value, _, _) => PyStr.Capitalize(PyFormat.Str(value))),
        ["count"] = new(NoArguments, (value, _, _) => Py.Length(value)),
        ["d"] = new(new("default_value", "boolean"), (value, args, _) => Default(value, args)),
        ["default"] = new(new("default_value", "boolean"), (value, args, _) => Default(value, args)),
        ["e"] = new(NoArguments, (value, _, _) => HtmlEscape(PyFormat.Str(value))),
        ["escape"] = new(NoArguments, (value, _, _) => HtmlEscape(PyFormat.Str(value))),
        ["first"] = new(NoArguments, (value, _, _) => First(value)),
        ["float"] = new(new("default"), (value, args, _) => ToFloat(value, args.Get("default", 0.0))),
        ["indent"] = new(new("width", "first", "blank"), (value, args, _) => Indent(value, args)),
        ["int"] = new(new("default", "base"), (value, args, _) => ToInt(value, args.Get("default", 0L), args.Get("base", 10L))),
        ["items"] = new(NoArguments, (value, _, _) => Items(value)),
        ["join"] = new(new("d", "attribute"), (value, args, state) => Join(value, args, state)),
        ["last"] = new(NoArguments, (value, _, _) => Last(value)),
        ["length"] = new(NoArguments, (value, _, _) => Py.Length(value)),
        ["list"] = new(NoArguments, (value, _, _) => Py.Iterate(value).ToList()),
        ["lower"] = new(NoArguments, (value, _, _) => PyFormat.Str(value).ToLowerInvariant()),
        ["map"] = new(Signature.Variadic, (value, args, state) => Map(value, args, state)),
        ["reject"] = new(Signature.Variadic, (value, args, state) => Select(value, args, state, byAttribute: false, keep: false)),
        ["rejectattr"] = new(Signature.Variadic, (value, args, state) => Select(value, args, state, byAttribute: true, keep: false)),
        ["replace"] = new(new("old", "new", "count"), (value, args, state) => PyStr.Replace(PyFormat.Str(value),
            PyFormat.Str(args.Required("old")), PyFormat.Str(args.Required("new")), args.Get("count") is { } count ? Integer(count, "count") : -1, state)),
        ["reverse"] = new(NoArguments, (value, _, _) => Reverse(value)),
        ["safe"] = new(NoArguments, (value, _, _) => PyFormat.Str(value)),
        ["select"] = new(Signature.Variadic, (value, args, state) => Select(value, args, state, byAttribute: false, keep: true)),
        ["selectattr"] = new(Signature.Variadic, (value, args, state) => Select(value, args, state, byAttribute: true, keep: true)),
        ["sort"] = new(new("reverse", "case_sensitive", "attribute"), (value, args, _) => Sort(value, args)),
        ["string"] = new(NoArguments, (value, _, _) => PyFormat.Str(value)),
        ["title"] = new(NoArguments, (value, _, _) => Title(PyFormat.Str(value))),
        ["tojson"] = new(new("ensure_ascii", "indent", "separators", "sort_keys"), (value, args, state) => ToJson(value, args, state)),
        ["trim"] = new(new("chars"), (value, args, _) => PyStr.Strip(PyFormat.Str(value), args.Get("chars") is { } chars ? PyFormat.Str(chars) : null)),
        ["upper"] = new(NoArguments, (value, _, _) => PyFormat.Str(value).ToUpperInvariant()),
    };

    // Jinja's other built-in filters: named so that the refusal says "not supported" rather than "unknown".
    private static readonly HashSet<string> NotSupported =
    [
        "attr", "batch", "center", "dictsort", "filesizeformat", "forceescape", "format", "groupby", "max", "min",
        "pprint", "random", "round", "slice", "striptags", "sum", "truncate", "unique", "urlencode", "urlize",
        "wordcount", "wordwrap", "xmlattr",
    ];

    /// <summary>Null when <paramref name="name"/> is a supported filter, else why it is refused.</summary>
    public static string? Refusal(string name) =>
        All.ContainsKey(name) ? null
        : NotSupported.Contains(name) ? $"the filter '{name}' is not supported in chat templates."
        : $"unknown filter '{name}'.";

    public static object? Apply(string name, object? value, Arguments arguments, RenderState state)
    {
        if (!All.TryGetValue(name, out var filter)) throw new TemplateError(Refusal(name)!);
        return filter.Body(value, filter.Signature.Bind(name, arguments), state);
    }

    private static object? Abs(object? value) => value switch
    {
        bool or long => (object)Math.Abs(Py.ToLong(value)),
        double d => Math.Abs(d),
        Undefined u => throw u.Fail(),
        _ => throw new TemplateError($"bad operand type for abs(): '{Py.TypeName(value)}'"),
    };

    private static object? Default(object? value, BoundArguments args) =>
        value is Undefined || (Py.IsTrue(args.Get("boolean", false)) && !Py.IsTrue(value)) ? args.Get("default_value", "") : value;

    private static string HtmlEscape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&#34;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);

    private static object? First(object? value)
    {
        foreach (var item in Py.Iterate(value)) return item;
        return new Undefined("No first item, sequence was empty.");
    }

    private static object? Last(object? value)
    {
        if (value is GeneratorValue) throw new TemplateError("'generator' object is not reversible; apply '|list' before '|last'");
        var items = Py.Iterate(value).ToList();
        return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
    }

    // Python's int(): strings in the given base ("42", " 0x1A " with base 16 or 0), else through float ("4.7" is 4);
    // what cannot be read gives the default.
    private static object? ToInt(object? value, object? fallback, object? radix)
    {
        switch (value)
        {
            case bool or long: return Py.ToLong(value);
            case double d: return FloatToInt(d);
            case string s:
                if (TryParseInteger(s, (int)Integer(radix, "base"), out long parsed)) return parsed;
                return TryParseFloat(s, out double x) && !double.IsNaN(x) ? FloatToInt(x) : fallback;
            default: return fallback;
        }
    }

    private static long FloatToInt(double d)
    {
        if (double.IsInfinity(d)) throw new TemplateError("cannot convert float infinity to integer");
        if (double.IsNaN(d)) throw new TemplateError("cannot convert float NaN to integer");
        double truncated = Math.Truncate(d);
        if (truncated is >= 9.2233720368547758e18 or < -9.2233720368547758e18)
            throw new TemplateError("integer overflow: results beyond 64 bits are not supported");
        return (long)truncated;
    }

    private static bool TryParseInteger(string s, int radix, out long value)
    {
        value = 0;
        var text = PyChars.Trim(s).Replace("_", "", StringComparison.Ordinal);
        bool negative = text.StartsWith('-');
        if (text.StartsWith('-') || text.StartsWith('+')) text = text[1..];
        string lower = text.ToLowerInvariant();
        foreach (var (prefix, prefixRadix) in new[] { ("0x", 16), ("0o", 8), ("0b", 2) })
        {
            if (lower.StartsWith(prefix, StringComparison.Ordinal) && (radix == prefixRadix || radix == 0))
            {
                text = text[2..];
                radix = prefixRadix;
            }
        }
        if (radix == 0) radix = 10;
        if (text.Length == 0 || radix is < 2 or > 36) return false;
        foreach (char c in text.ToLowerInvariant())
        {
            int digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetterLower(c) ? c - 'a' + 10 : 99;
            if (digit >= radix) return false;
            try { value = checked(value * radix + digit); }
            catch (OverflowException) { return false; }
        }
        if (negative) value = -value;
        return true;
    }

    private static bool TryParseFloat(string s, out double value)
    {
        var text = PyChars.Trim(s).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var named = text.TrimStart('+', '-');
        double sign = text.StartsWith('-') ? -1 : 1;
        if (named is "inf" or "infinity") { value = sign * double.PositiveInfinity; return true; }
        if (named == "nan") { value = double.NaN; return true; }
        return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value);
    }

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        bool or long or double => Py.ToDouble(value),
        string s when TryParseFloat(s, out double d) => d,
        _ => fallback,
    };

    private static long Integer(object? value, string parameter) =>
        value is bool or long ? Py.ToLong(value) : throw new TemplateError($"'{parameter}' must be an integer, not {Py.TypeName(value)}");

    private static string Indent(object? value, BoundArguments args)
    {
        if (value is Undefined u) throw u.Fail();
        if (value is not string s) throw new TemplateError($"indent expects a string, not {Py.TypeName(value)}");
        var width = args.Get("width", 4L);
        string indentation = width is string w ? w : new string(' ', (int)Math.Max(0, Integer(width, "width")));
        // As Jinja: a newline is appended before splitting, so a trailing newline survives.
        var lines = PyStr.SplitLines(s + "\n");
        string result;
        if (Py.IsTrue(args.Get("blank", false)))
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            result = lines[0];
            if (lines.Count > 1) result += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indentation + line : line));
        }
        return Py.IsTrue(args.Get("first", false)) ? indentation + result : result;
    }

    private static GeneratorValue Items(object? value) => value switch
    {
        Undefined => new GeneratorValue([]),
        PyDict dict => new GeneratorValue(dict.Select(pair => (object?)new[] { pair.Key, pair.Value }).ToList()),
        _ => throw new TemplateError("Can only get item pairs from a mapping."),
    };

    private static string Join(object? value, BoundArguments args, RenderState state)
    {
        var items = Py.Iterate(value);
        if (args.Get("attribute") is { } attribute) items = items.Select(AttributeGetter(attribute, null));
        var separator = PyFormat.Str(args.Get("d", ""));
        var text = new StringBuilder();
        bool first = true;
        foreach (var item in items)
        {
            if (!first) text.Append(separator);
            first = false;
            text.Append(PyFormat.Str(item));
            state.CheckLength(text.Length);
        }
        return text.ToString();
    }

    // map(attribute='a.b', default=x) or map('filter', args…): a generator, as Jinja's.
    private static GeneratorValue Map(object? value, BoundArguments args, RenderState state)
    {
        var items = Py.Iterate(value);
        if (args.Positional.Count == 0 && args.Has("attribute"))
        {
            var unexpected = args.Named.FirstOrDefault(pair => pair.Key is not ("attribute" or "default"));
            if (unexpected.Key is not null) throw new TemplateError($"Unexpected keyword argument '{unexpected.Key}'");
            return new GeneratorValue(items.Select(AttributeGetter(args.Get("attribute"), args.Get("default"))));
        }
        if (args.Positional.Count == 0) throw new TemplateError("map requires a filter argument");
        var name = args.Positional[0] as string ?? throw new TemplateError("map's first argument must name a filter");
        if (Refusal(name) is { } refusal) throw new TemplateError(refusal);
        var rest = new Arguments(args.Positional.Skip(1).ToList(), args.Named);
        return new GeneratorValue(items.Select(item => Apply(name, item, rest, state)));
    }

    // select('test', args…) / selectattr('attr', 'test', args…) and their reject twins; without a test, truth decides.
    private static GeneratorValue Select(object? value, BoundArguments args, RenderState state, bool byAttribute, bool keep)
    {
        var items = Py.Iterate(value);
        Func<object?, object?> pick = item => item;
        int offset = 0;
        if (byAttribute)
        {
            if (args.Positional.Count == 0) throw new TemplateError("Missing parameter for attribute name");
            pick = AttributeGetter(args.Positional[0], null);
            offset = 1;
        }
        Func<object?, bool> test = Py.IsTrue;
        if (args.Positional.Count > offset)
        {
            var name = args.Positional[offset] as string ?? throw new TemplateError("the test to select by must be given by name");
            if (JinjaTests.Refusal(name) is { } refusal) throw new TemplateError(refusal);
            var rest = new Arguments(args.Positional.Skip(offset + 1).ToList(), args.Named);
            test = item => JinjaTests.Apply(name, item, rest, state);
        }
        return new GeneratorValue(items.Where(item => test(pick(item)) == keep));
    }

    // Jinja's attribute getter: "a.b.0" looks up a, then b, then item 0; an undefined result takes the default.
    private static Func<object?, object?> AttributeGetter(object? attribute, object? fallback)
    {
        var parts = attribute is string path
            ? path.Split('.').Select(part => long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long i) ? (object?)i : part).ToArray()
            : [attribute];
        return item =>
        {
            foreach (var part in parts) item = Members.GetItem(item, part);
            return fallback is not null && item is Undefined ? fallback : item;
        };
    }

    private static object? Reverse(object? value) => value switch
    {
        string s => string.Concat(PyStr.CodePoints(s).Reverse()),
        GeneratorValue generator => generator.Consume().Reverse().ToList(),
        List<object?> or object?[] or PyDict or DictView or Undefined => new GeneratorValue(Py.Iterate(value).Reverse().ToList()),
        _ => throw new TemplateError("argument must be iterable"),
    };

    private static List<object?> Sort(object? value, BoundArguments args)
    {
        bool caseSensitive = Py.IsTrue(args.Get("case_sensitive", false));
        var getters = args.Get("attribute") is string attributes
            ? attributes.Split(',').Select(a => AttributeGetter(a, null)).ToList()
            : args.Get("attribute") is { } attribute ? [AttributeGetter(attribute, null)] : [];
        object? Key(object? item)
        {
            var parts = getters.Count == 0 ? [item] : getters.Select(get => get(item)).ToArray();
            for (int i = 0; i < parts.Length; i++)
            {
                if (!caseSensitive && parts[i] is string s) parts[i] = s.ToLowerInvariant();
            }
            return parts.Length == 1 ? parts[0] : parts;
        }
        var comparer = Comparer<object?>.Create((a, b) => Py.Compare(a, b));
        var items = Py.Iterate(value).ToList();
        // Stable in both directions, as Python's sorted(reverse=True).
        return (Py.IsTrue(args.Get("reverse", false)) ? items.OrderByDescending(Key, comparer) : items.OrderBy(Key, comparer)).ToList();
    }

    // Jinja's title filter: each run of word characters and each run of separators (-, whitespace, ( { [ <)
    // starts upper-case and continues lower-case.
    private static string Title(string s)
    {
        static bool IsSeparator(char c) => c is '-' or '(' or '{' or '[' or '<' || PyChars.IsSpace(c);
        var text = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            bool startsRun = i == 0 || IsSeparator(s[i]) != IsSeparator(s[i - 1]);
            text.Append(startsRun ? char.ToUpperInvariant(s[i]) : char.ToLowerInvariant(s[i]));
        }
        return text.ToString();
    }

    private static string ToJson(object? value, BoundArguments args, RenderState state)
    {
        string? indent = args.Get("indent") switch
        {
            null => null,
            string s => s,
            bool or long => new string(' ', (int)Math.Clamp(Py.ToLong(args.Get("indent")), 0, 1000)),
            var other => throw new TemplateError($"tojson: indent must be an integer or a string, not {Py.TypeName(other)}"),
        };
        (string, string)? separators = args.Get("separators") switch
        {
            null => null,
            IReadOnlyList<object?> { Count: 2 } pair when pair[0] is string item && pair[1] is string key => (item, key),
            _ => throw new TemplateError("tojson: separators must be a pair of strings (item separator, key separator)"),
        };
        var json = PyJson.Dumps(value, Py.IsTrue(args.Get("ensure_ascii", false)), indent, separators, Py.IsTrue(args.Get("sort_keys", false)));
        state.CheckLength(json.Length);
        return json;
    }
}
