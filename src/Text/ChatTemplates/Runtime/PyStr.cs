using System.Globalization;
using System.Text;

namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Python's string operations. Python counts, indexes and slices strings by code point, where .NET counts
/// UTF-16 units, so text outside the Basic Multilingual Plane (emoji) is handled code point by code point.
/// </summary>
internal static class PyStr
{
    private static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>The code points of <paramref name="s"/>, each as a string (a lone surrogate is one code point).</summary>
    public static IReadOnlyList<string> CodePoints(string s)
    {
        var points = new List<string>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                points.Add(s.Substring(i, 2));
                i++;
            }
            else points.Add(s[i].ToString());
        }
        return points;
    }

    public static IEnumerable<object?> Characters(string s) => HasSurrogates(s) ? CodePoints(s) : s.Select(c => (object?)c.ToString());

    public static long Length(string s) => HasSurrogates(s) ? CodePoints(s).Count : s.Length;

    /// <summary>The character at a (possibly negative) index, or null when out of range.</summary>
    public static string? At(string s, long index)
    {
        var points = HasSurrogates(s) ? CodePoints(s) : null;
        long length = points?.Count ?? s.Length;
        if (index < 0) index += length;
        if (index < 0 || index >= length) return null;
        return points is null ? s[(int)index].ToString() : points[(int)index];
    }

    public static string Slice(string s, long? start, long? stop, long? step)
    {
        if (!HasSurrogates(s) && (step ?? 1) == 1)
        {
            var (from, to) = Slicing.Bounds(s.Length, start, stop, 1);
            return to > from ? s[(int)from..(int)to] : "";
        }
        var points = CodePoints(s);
        return string.Concat(Slicing.Indices(points.Count, start, stop, step).Select(i => points[(int)i]));
    }

    /// <summary>Code point order, as Python compares strings (UTF-16 order differs above U+FFFF).</summary>
    public static int CompareCodePoints(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            int x = CodePointAt(a, i), y = CodePointAt(b, j);
            if (x != y) return x.CompareTo(y);
            i += x > 0xFFFF ? 2 : 1;
            j += y > 0xFFFF ? 2 : 1;
        }
        return (a.Length - i).CompareTo(b.Length - j);
    }

    private static int CodePointAt(string s, int index) =>
        char.IsHighSurrogate(s[index]) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]) ? char.ConvertToUtf32(s[index], s[index + 1]) : s[index];

    /// <summary><c>str.strip(chars)</c>: whitespace when <paramref name="chars"/> is null, else any of those characters.</summary>
    public static string Strip(string s, string? chars, bool start = true, bool end = true)
    {
        Func<char, bool> strip = chars is null ? PyChars.IsSpace : chars.Contains;
        int from = 0, to = s.Length;
        if (start) while (from < to && strip(s[from])) from++;
        if (end) while (to > from && strip(s[to - 1])) to--;
        return s[from..to];
    }

    /// <summary><c>str.split(sep, maxsplit)</c>; with no separator, runs of whitespace split and ends are dropped.</summary>
    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        var parts = new List<object?>();
        if (separator is null)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && PyChars.IsSpace(s[i])) i++;
                if (i == s.Length) break;
                if (maxSplit >= 0 && parts.Count == maxSplit)
                {
                    parts.Add(s[i..]);
                    break;
                }
                int start = i;
                while (i < s.Length && !PyChars.IsSpace(s[i])) i++;
                parts.Add(s[start..i]);
            }
            return parts;
        }
        if (separator.Length == 0) throw new TemplateError("empty separator");
        int from = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            int at = s.IndexOf(separator, from, StringComparison.Ordinal);
            if (at < 0) break;
            parts.Add(s[from..at]);
            from = at + separator.Length;
        }
        parts.Add(s[from..]);
        return parts;
    }

    /// <summary><c>str.rsplit(sep, maxsplit)</c>: as <see cref="Split"/>, counting splits from the right.</summary>
    public static List<object?> RSplit(string s, string? separator, long maxSplit)
    {
        if (maxSplit < 0) return Split(s, separator, maxSplit);
        var parts = new List<object?>();
        if (separator is null)
        {
            int i = s.Length;
            while (true)
            {
                while (i > 0 && PyChars.IsSpace(s[i - 1])) i--;
                if (i == 0) break;
                if (parts.Count == maxSplit)
                {
                    parts.Add(s[..i]);
                    break;
                }
                int end = i;
                while (i > 0 && !PyChars.IsSpace(s[i - 1])) i--;
                parts.Add(s[i..end]);
            }
        }
        else
        {
            if (separator.Length == 0) throw new TemplateError("empty separator");
            int to = s.Length;
            while (parts.Count < maxSplit)
            {
                int at = to - separator.Length < 0 ? -1 : s.LastIndexOf(separator, to - 1, to, StringComparison.Ordinal);
                if (at < 0 || at + separator.Length > to) break;
                parts.Add(s[(at + separator.Length)..to]);
                to = at;
            }
            parts.Add(s[..to]);
        }
        parts.Reverse();
        return parts;
    }

    /// <summary><c>str.splitlines()</c>: splits at every line boundary Python knows, dropping the boundaries.</summary>
    public static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')) continue;
            lines.Add(s[start..i]);
            if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    /// <summary><c>str.replace(old, new, count)</c>; an empty <paramref name="old"/> inserts between characters.</summary>
    public static string Replace(string s, string old, string replacement, long count, RenderState state)
    {
        if (count < 0) count = long.MaxValue;
        var result = new StringBuilder();
        if (old.Length == 0)
        {
            var points = CodePoints(s);
            long done = 0;
            foreach (var point in points)
            {
                if (done++ < count) result.Append(replacement);
                result.Append(point);
                state.CheckLength(result.Length);
            }
            if (done < count) result.Append(replacement);
            return result.ToString();
        }
        int from = 0;
        for (long n = 0; n < count; n++)
        {
            int at = s.IndexOf(old, from, StringComparison.Ordinal);
            if (at < 0) break;
            result.Append(s, from, at - from).Append(replacement);
            state.CheckLength(result.Length);
            from = at + old.Length;
        }
        result.Append(s, from, s.Length - from);
        state.CheckLength(result.Length);
        return result.ToString();
    }

    /// <summary><c>str.title()</c>: a cased letter after an uncased character is upper-cased, other letters lower-cased ("they'Re").</summary>
    public static string Title(string s)
    {
        var result = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            bool cased = IsCased(c);
            result.Append(cased ? (previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            previousCased = cased;
        }
        return result.ToString();
    }

    /// <summary><c>str.capitalize()</c>: the first character upper-cased, the rest lower-cased.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    public static bool IsCased(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;
}
