namespace XRight.Selection;

/// <summary>See <see cref="SequentialMatcher.SameEpochsNearestShare"/>.</summary>
internal sealed class SameEpochsSequentialMatcher : SequentialMatcher
{
    public override string Description =>
        "same total epochs, Sequential DPO share T_DPO/(T_DPO+T_SFT) nearest to λ (ties: share nearer 0.5, then name)";

    public override IReadOnlyDictionary<string, SelectionCandidate> Match(IReadOnlyList<SelectionCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var sequentialRuns = candidates.Where(c => c.IsSequential).ToArray();
        var matches = new Dictionary<string, SelectionCandidate>(StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            if (candidate.IsSequential) continue;
            var lambda = candidate.Lambda ?? throw new ArgumentException($"Candidate '{candidate.Name}' has neither λ nor a Sequential schedule.", nameof(candidates));
            // All runs compared share the total T, so |T_DPO/T − λ| ranks like |T_DPO − λT| and |T_DPO/T − ½|
            // like |2·T_DPO − T|: exact for the paper's ties (λT = 1.5 between 1 and 2), where shares are not.
            var target = lambda * candidate.Epochs;
            var best = sequentialRuns
                .Where(s => s.Epochs == candidate.Epochs)
                .OrderBy(s => Math.Abs(s.Sequential!.DpoEpochs - target))
                .ThenBy(s => Math.Abs(2 * s.Sequential!.DpoEpochs - s.Epochs))
                .ThenBy(s => s.Name, StringComparer.Ordinal)
                .FirstOrDefault();
            if (best is not null) matches.Add(candidate.Name, best);
        }
        return matches;
    }
}
