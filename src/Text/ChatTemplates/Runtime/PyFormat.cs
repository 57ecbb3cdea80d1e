using System.Globalization;
using System.Text;

namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Python's <c>str()</c> and <c>repr()</c>, which decide what <c>{{ value }}</c> prints: <c>None</c>, <c>True</c>,
/// <c>1.0</c>, <c>['a', None]</c>, <c>{'k': 'v'}</c>, <c>(1,)</c>; an undefined value prints as nothing.
/// </summary>
internal static class PyFormat
{
    // Values nest this deep at most when printed; deeper means a namespace that contains itself.
    private const int MaxDepth = 500;

    /// <summary>Python's <c>str(value)</c>.</summary>
    public static string Str(object? value) => value switch
    {
        string s => s,
        Undefined => "",
        GeneratorValue => throw new TemplateError("a generator (the result of select, map, reverse, items, …) cannot be printed; apply '|list' first"),
        ITemplateCallable callable => throw new TemplateError($"the function '{callable.Name}' cannot be printed; call it"),
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr(value)</c>.</summary>
    public static string Repr(object? value)
    {
        var text = new StringBuilder();
        AppendRepr(text, value, 0);
        return text.ToString();
    }

    private static void AppendRepr(StringBuilder text, object? value, int depth)
    {
        if (depth > MaxDepth) throw new TemplateError($"a value nested more than {MaxDepth} deep (or containing itself) cannot be printed");
        switch (value)
        {
            case null: text.Append("None"); break;
            case bool b: text.Append(b ? "True" : "False"); break;
            case long l: text.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: text.Append(FloatRepr(d)); break;
            case string s: AppendQuoted(text, s); break;
            case Undefined: text.Append("Undefined"); break;
            case List<object?> list: AppendItems(text, "[", list, "]", depth); break;
            case object?[] tuple: AppendItems(text, "(", tuple, tuple.Length == 1 ? ",)" : ")", depth); break;
            case PyDict dict: AppendDict(text, dict, depth); break;
            case DictView view:
                text.Append(view.Kind).Append('(');
                AppendItems(text, "[", view.Items, "])", depth);
                break;
            case Namespace ns:
                var attributes = new PyDict();
                foreach (var (key, item) in ns.Attributes) attributes.Set(key, item);
                text.Append("<Namespace ");
                AppendDict(text, attributes, depth);
                text.Append('>');
                break;
            case LoopContext loop: text.Append(CultureInfo.InvariantCulture, $"<LoopContext {loop.Index0 + 1}/{loop.Length}>"); break;
            default: text.Append(Str(value)); break;
        }
    }

    private static void AppendItems(StringBuilder text, string open, IReadOnlyList<object?> items, string close, int depth)
    {
        text.Append(open);
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) text.Append(", ");
            AppendRepr(text, items[i], depth + 1);
        }
        text.Append(close);
    }

    private static void AppendDict(StringBuilder text, PyDict dict, int depth)
    {
        text.Append('{');
        bool first = true;
        foreach (var (key, item) in dict)
        {
            if (!first) text.Append(", ");
            first = false;
            AppendRepr(text, key, depth + 1);
            text.Append(": ");
            AppendRepr(text, item, depth + 1);
        }
        text.Append('}');
    }

    // Python quotes with ' unless the text has a ' and no ", and escapes what is not printable.
    private static void AppendQuoted(StringBuilder text, string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        text.Append(quote);
        foreach (var point in PyStr.CodePoints(s))
        {
            int c = CodePoint(point);
            if (c == quote || c == '\\') text.Append('\\').Append((char)c);
            else if (c == '\n') text.Append("\\n");
            else if (c == '\r') text.Append("\\r");
            else if (c == '\t') text.Append("\\t");
            else if (IsPrintable(c)) text.Append(point);
            else if (c < 0x100) text.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
            else if (c < 0x10000) text.Append("\\u").Append(c.ToString("x4", CultureInfo.InvariantCulture));
            else text.Append("\\U").Append(c.ToString("x8", CultureInfo.InvariantCulture));
        }
        text.Append(quote);
    }

    private static int CodePoint(string point) =>
        point.Length == 2 ? char.ConvertToUtf32(point[0], point[1]) : point[0];

    // Python's str.isprintable: not a control, format, surrogate, private-use, unassigned or separator
    // character, except the plain space.
    private static bool IsPrintable(int c)
    {
        if (c == ' ') return true;
        var category = c < 0x10000 ? CharUnicodeInfo.GetUnicodeCategory((char)c) : CharUnicodeInfo.GetUnicodeCategory(c);
        return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
    }

    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest digits that read back to the same value, in positional
    /// notation from 1e-4 up to 1e16 (always with a fractional part, <c>2.0</c>) and in exponent notation
    /// outside it (<c>1e+16</c>, <c>1e-05</c>).
    /// </summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        string sign = value < 0 || (value == 0 && double.IsNegative(value)) ? "-" : "";
        if (value == 0) return sign + "0.0";
        // .NET's "R" gives the same shortest digits; only the layout differs.
        string shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = shortest.IndexOf('E');
        int exponent = e < 0 ? 0 : int.Parse(shortest.AsSpan(e + 1), CultureInfo.InvariantCulture);
        string mantissa = e < 0 ? shortest : shortest[..e];
        int dot = mantissa.IndexOf('.');
        string digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        // The value is 0.<digits> x 10^point.
        int point = (dot < 0 ? mantissa.Length : dot) + exponent;
        int leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        point -= leadingZeros;
        if (point > 16 || point < -3)
        {
            string fraction = digits.Length > 1 ? "." + digits[1..] : "";
            int shown = point - 1;
            return sign + digits[0] + fraction + "e" + (shown < 0 ? '-' : '+') + Math.Abs(shown).ToString("00", CultureInfo.InvariantCulture);
        }
        if (point <= 0) return $"{sign}0.{new string('0', -point)}{digits}";
        if (point >= digits.Length) return $"{sign}{digits}{new string('0', point - digits.Length)}.0";
        return $"{sign}{digits[..point]}.{digits[point..]}";
    }
}
