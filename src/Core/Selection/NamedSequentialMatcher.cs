namespace XRight.Selection;

/// <summary>See <see cref="SequentialMatcher.ByName"/>.</summary>
internal sealed class NamedSequentialMatcher : SequentialMatcher
{
    private readonly Dictionary<string, string> sequentialByCandidate;

    public NamedSequentialMatcher(IReadOnlyDictionary<string, string> sequentialByCandidate)
    {
        ArgumentNullException.ThrowIfNull(sequentialByCandidate);
        this.sequentialByCandidate = new Dictionary<string, string>(sequentialByCandidate, StringComparer.Ordinal);
    }

    public override string Description => "explicit pairs: " + (sequentialByCandidate.Count == 0
        ? "none"
        : string.Join(", ", sequentialByCandidate.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} → {p.Value}")));

    public override IReadOnlyDictionary<string, SelectionCandidate> Match(IReadOnlyList<SelectionCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var byName = candidates.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var matches = new Dictionary<string, SelectionCandidate>(StringComparer.Ordinal);
        foreach (var (candidateName, sequentialName) in sequentialByCandidate)
        {
            if (!byName.TryGetValue(candidateName, out var candidate))
                throw new ArgumentException($"Sequential pairing names candidate '{candidateName}', which is not in the sweep.", nameof(candidates));
            if (candidate.IsSequential)
                throw new ArgumentException($"Sequential pairing: '{candidateName}' is itself a Sequential run; expected a joint-strategy candidate.", nameof(candidates));
            if (!byName.TryGetValue(sequentialName, out var sequential))
                throw new ArgumentException($"Sequential pairing for '{candidateName}' names '{sequentialName}', which is not in the sweep.", nameof(candidates));
            if (!sequential.IsSequential)
                throw new ArgumentException($"Sequential pairing for '{candidateName}' names '{sequentialName}', a {sequential.Strategy} run; expected a Sequential run.", nameof(candidates));
            matches.Add(candidateName, sequential);
        }
        return matches;
    }
}
