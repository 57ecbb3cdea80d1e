namespace XRight.Modeling.Generation;

/// <summary>Finds stop strings in a row's decoded continuation and the tokens to keep before them.</summary>
internal sealed class StopStringMatcher(IReadOnlyList<string> stopStrings, Func<IReadOnlyList<int>, string> decode)
{
    /// <summary>
    /// Null while the decoded <paramref name="tokens"/> contain no stop string; otherwise how many
    /// leading tokens decode to text that ends at or before the earliest stop string.
    /// </summary>
    public int? TokensToKeep(List<int> tokens)
    {
        string text = decode(tokens);
        int start = int.MaxValue;
        foreach (var stop in stopStrings)
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0) start = Math.Min(start, at);
        }
        if (start == int.MaxValue) return null;
        for (int keep = tokens.Count - 1; keep > 0; keep--)
            if (decode(tokens.GetRange(0, keep)).Length <= start) return keep;
        return 0;
    }
}
