using System.Text.RegularExpressions;

namespace XRight.Text;

/// <summary>
/// One splitting step of a Hugging Face pre-tokenizer (<c>Split</c>, <c>Digits</c>, or the regex of
/// <c>ByteLevel</c>), with the same semantics: the pattern cuts a piece into matches and the stretches
/// between them, <see cref="SplitBehavior"/> says how they are grouped, and <c>invert</c> swaps the roles.
/// </summary>
internal sealed class SplitRule
{
    /// <summary>The GPT-2 pattern that <c>ByteLevel</c> with <c>use_regex</c> splits with.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly Regex _regex;
    private readonly SplitBehavior _behavior;
    private readonly bool _invert;

    public SplitRule(Regex regex, SplitBehavior behavior, bool invert)
    {
        _regex = regex;
        _behavior = behavior;
        _invert = invert;
    }

    /// <summary>The <c>ByteLevel</c> pre-tokenizer's own split.</summary>
    public static SplitRule Gpt2() => new(Compile(Gpt2Pattern), SplitBehavior.Isolated, invert: false);

    /// <summary>The <c>Digits</c> pre-tokenizer: digits apart from other text, one by one or in runs.</summary>
    public static SplitRule Digits(bool individually) => new(Compile(individually ? @"\p{N}" : @"\p{N}+"), SplitBehavior.Isolated, invert: false);

    /// <summary>Compiles a pre-tokenizer pattern as .NET regular expression.</summary>
    /// <exception cref="ArgumentException">The pattern uses syntax .NET does not have (for example possessive quantifiers).</exception>
    public static Regex Compile(string pattern) => new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>The non-empty pieces of <paramref name="text"/>[offset, offset + length) after this step.</summary>
    public IEnumerable<(int Offset, int Length)> Split(string text, int offset, int length)
    {
        if (_behavior == SplitBehavior.Isolated) return Isolated(text, offset, length); // the common case, without lists
        var segments = Segments(text, offset, length);
        var pieces = _behavior switch
        {
            SplitBehavior.Removed => segments.Where(s => !s.IsMatch).Select(s => (s.Start, s.End)).ToList(),
            SplitBehavior.MergedWithPrevious => JoinMatchesToNeighbour(segments),
            SplitBehavior.MergedWithNext => JoinMatchesToNeighbour(segments.AsEnumerable().Reverse().ToList(), reverse: true),
            SplitBehavior.Contiguous => JoinConsecutiveMatches(segments),
            _ => throw new InvalidOperationException($"Unknown split behavior {_behavior}."),
        };
        return pieces.Where(p => p.End > p.Start).Select(p => (p.Start, p.End - p.Start));
    }

    private IEnumerable<(int Offset, int Length)> Isolated(string text, int offset, int length)
    {
        var position = offset;
        for (var match = _regex.Match(text, offset, length); match.Success; match = match.NextMatch())
        {
            if (match.Index > position) yield return (position, match.Index - position);
            if (match.Length > 0) yield return (match.Index, match.Length);
            position = match.Index + match.Length;
        }
        if (position < offset + length) yield return (position, offset + length - position);
    }

    // Each match is joined to the piece before it in the order given (after it, when the segments come
    // reversed); a match that follows another match starts a piece of its own, as in tokenizers.
    private static List<(int Start, int End)> JoinMatchesToNeighbour(List<(int Start, int End, bool IsMatch)> segments, bool reverse = false)
    {
        var pieces = new List<(int Start, int End)>();
        var previousWasMatch = false;
        foreach (var (start, end, isMatch) in segments)
        {
            if (isMatch && !previousWasMatch && pieces.Count > 0) pieces[^1] = (Math.Min(pieces[^1].Start, start), Math.Max(pieces[^1].End, end));
            else pieces.Add((start, end));
            previousWasMatch = isMatch;
        }
        if (reverse) pieces.Reverse();
        return pieces;
    }

    private static List<(int Start, int End)> JoinConsecutiveMatches(List<(int Start, int End, bool IsMatch)> segments)
    {
        var pieces = new List<(int Start, int End)>();
        var previousWasMatch = false;
        foreach (var (start, end, isMatch) in segments)
        {
            if (isMatch && previousWasMatch) pieces[^1] = (pieces[^1].Start, end);
            else pieces.Add((start, end));
            previousWasMatch = isMatch;
        }
        return pieces;
    }

    // The matches and the stretches between them, covering the range; with invert the roles swap.
    // An empty match still cuts the text there, as in tokenizers; empty pieces are dropped later.
    private List<(int Start, int End, bool IsMatch)> Segments(string text, int offset, int length)
    {
        var segments = new List<(int Start, int End, bool IsMatch)>();
        var position = offset;
        for (var match = _regex.Match(text, offset, length); match.Success; match = match.NextMatch())
        {
            if (match.Index > position) segments.Add((position, match.Index, _invert));
            segments.Add((match.Index, match.Index + match.Length, !_invert));
            position = match.Index + match.Length;
        }
        if (position < offset + length) segments.Add((position, offset + length, _invert));
        return segments;
    }
}
