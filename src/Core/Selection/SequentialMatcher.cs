namespace XRight.Selection;

/// <summary>
/// Decides which Sequential run each joint candidate is compared with for the resource metrics and ∆m%.
/// </summary>
public abstract class SequentialMatcher
{
    /// <summary>
    /// The paper's pairing (the default): a Sequential run with the same total epochs whose DPO share
    /// T_DPO / (T_DPO + T_SFT) is nearest to λ; ties go to the share nearer ½, then to the smaller name
    /// (ordinal). With 6 epochs this pairs λ = 0.01, 0.25, 0.5, 0.75, 0.99 with (1, 5), (2, 4), (3, 3),
    /// (4, 2), (5, 1), and with 4 epochs λ = 0.25, 0.5, 0.75 with (1, 3), (2, 2), (3, 1), as in the
    /// paper's figures. A candidate with no Sequential run of its budget has no match.
    /// </summary>
    public static SequentialMatcher SameEpochsNearestShare { get; } = new SameEpochsSequentialMatcher();

    /// <summary>An explicit pairing: joint candidate name → Sequential run name. Unlisted candidates have no match.</summary>
    /// <param name="sequentialByCandidate">Pairs of candidate names; both must name candidates of the sweep.</param>
    public static SequentialMatcher ByName(IReadOnlyDictionary<string, string> sequentialByCandidate) =>
        new NamedSequentialMatcher(sequentialByCandidate);

    /// <summary>One line saying how runs are paired, for reports.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// The matching Sequential run of each joint candidate, keyed by candidate name; candidates
    /// without a match are absent.
    /// </summary>
    /// <param name="candidates">All candidates of the sweep (names are unique).</param>
    public abstract IReadOnlyDictionary<string, SelectionCandidate> Match(IReadOnlyList<SelectionCandidate> candidates);
}
