namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>Python's notion of whitespace, which <c>str.strip()</c>, <c>str.split()</c> and the template lexer use.</summary>
internal static class PyChars
{
    /// <summary>
    /// Whether Python counts <paramref name="c"/> as whitespace: .NET's whitespace plus the four ASCII
    /// separators U+001C–U+001F, which Python also strips.
    /// </summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static string TrimEnd(string s)
    {
        int end = s.Length;
        while (end > 0 && IsSpace(s[end - 1])) end--;
        return s[..end];
    }

    public static string TrimStart(string s)
    {
        int start = 0;
        while (start < s.Length && IsSpace(s[start])) start++;
        return s[start..];
    }

    public static string Trim(string s) => TrimStart(TrimEnd(s));
}
