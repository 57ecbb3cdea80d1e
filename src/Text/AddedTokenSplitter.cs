using System.Text.RegularExpressions;

namespace XRight.Text;

/// <summary>
/// Cuts a text at the occurrences of a set of added tokens. Matching is leftmost-longest, as in
/// Hugging Face <c>tokenizers</c>: at the first position where any token occurs, the longest one wins.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly Regex? _pattern;

    public AddedTokenSplitter(IEnumerable<string> contents)
    {
        // Regex alternation is leftmost-first; listing longer tokens first makes it leftmost-longest.
        var alternatives = contents.Where(c => c.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(c => c.Length).ThenBy(c => c, StringComparer.Ordinal)
            .Select(Regex.Escape).ToList();
        if (alternatives.Count > 0)
            _pattern = new Regex(string.Join("|", alternatives), RegexOptions.Compiled | RegexOptions.CultureInvariant);
    }

    /// <summary>
    /// The pieces of <paramref name="text"/>[offset, offset + length) in order: each occurrence of a
    /// token (<c>IsToken</c> true) and each non-empty stretch between them.
    /// </summary>
    public IEnumerable<(int Offset, int Length, bool IsToken)> Split(string text, int offset, int length)
    {
        var end = offset + length;
        var position = offset;
        if (_pattern is not null)
        {
            for (var match = _pattern.Match(text, offset, length); match.Success; match = match.NextMatch())
            {
                if (match.Index > position) yield return (position, match.Index - position, false);
                yield return (match.Index, match.Length, true);
                position = match.Index + match.Length;
            }
        }
        if (position < end) yield return (position, end - position, false);
    }
}
