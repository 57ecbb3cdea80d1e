using System.Text;

namespace XRight.Evaluation;

/// <summary>
/// The Python <c>str</c> operations the benchmarks' reference code applies to text (<c>strip</c>,
/// <c>rstrip</c>, <c>capitalize</c>, <c>lower</c>, <c>len</c>), with Python's meaning where it differs
/// from .NET's: Python's whitespace also includes U+001C–U+001F, <c>len</c> counts code points (not
/// UTF-16 units), and <c>lower</c> maps U+0130 to two characters.
/// </summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c> for one character: .NET's whitespace plus the separators U+001C–U+001F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\u001C' && c <= '\u001F');

    /// <summary><c>str.strip()</c>: whitespace removed from both ends.</summary>
    public static string Strip(string text) => RStrip(LStrip(text));

    /// <summary><c>str.lstrip()</c>.</summary>
    public static string LStrip(string text)
    {
        int start = 0;
        while (start < text.Length && IsSpace(text[start])) start++;
        return text.Substring(start);
    }

    /// <summary><c>str.rstrip()</c>.</summary>
    public static string RStrip(string text)
    {
        int end = text.Length;
        while (end > 0 && IsSpace(text[end - 1])) end--;
        return text.Substring(0, end);
    }

    /// <summary>
    /// <c>str.capitalize()</c>: the first character upper-cased and every other character lower-cased.
    /// Exact for ASCII; other scripts use .NET's invariant one-to-one case mappings (Python's few
    /// one-to-many mappings, such as ß → Ss, are not reproduced).
    /// </summary>
    public static string Capitalize(string text)
    {
        if (text.Length == 0) return text;
        int first = char.IsHighSurrogate(text[0]) && text.Length > 1 && char.IsLowSurrogate(text[1]) ? 2 : 1;
        string head = text.Substring(0, first).ToUpperInvariant();
        return head + Lower(text.Substring(first));
    }

    /// <summary>
    /// <c>str.lower()</c>: .NET's invariant lower-casing, with U+0130 (İ) becoming "i̇" (i + U+0307) as in
    /// Python, the one unconditional one-to-many lower-case mapping, so that a prefix test on the result
    /// matches Python's.
    /// </summary>
    public static string Lower(string text)
    {
        var lowered = text.ToLowerInvariant();
        if (text.IndexOf('\u0130') < 0) return lowered;
        var builder = new StringBuilder(text.Length + 4);
        for (int i = 0; i < text.Length; i++)
            builder.Append(text[i] == '\u0130' ? "i\u0307" : lowered[i].ToString());
        return builder.ToString();
    }

    /// <summary>Python's <c>len</c> of a string: code points, so a character outside the BMP counts once.</summary>
    public static int Length(string text)
    {
        int length = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            length++;
        }
        return length;
    }
}
