using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// How one model is chosen from a sweep: a score to minimise and, for constrained rules, a
/// constraint. Among the candidates that satisfy the constraint the lowest score wins; ties go to
/// the smaller ideal distance, then to the smaller name (ordinal), so the choice never depends on
/// the order of the candidates.
/// </summary>
public abstract class SelectionRule
{
    /// <summary>The candidate nearest to the ideal point (f*_DPO, f*_SFT).</summary>
    public static SelectionRule MinIdealDistance { get; } = new MinIdealDistanceRule();

    /// <summary>The candidate with the smallest G_Mix,λ at the target λ (see <see cref="IdealPoint.MixGap"/>).</summary>
    /// <param name="lambda">The target trade-off λ ∈ [0, 1]; larger favours DPO.</param>
    public static SelectionRule MinMixGap(double lambda) => new MinMixGapRule(lambda);

    /// <summary>The smallest f_SFT among the candidates with f_DPO ≤ <paramref name="maxDpo"/>.</summary>
    public static SelectionRule BestSftWithDpoAtMost(double maxDpo) => new ConstrainedObjectiveRule(ObjectiveKind.Sft, maxDpo);

    /// <summary>The smallest f_DPO among the candidates with f_SFT ≤ <paramref name="maxSft"/>.</summary>
    public static SelectionRule BestDpoWithSftAtMost(double maxSft) => new ConstrainedObjectiveRule(ObjectiveKind.Dpo, maxSft);

    /// <summary>A short description for reports and errors, for example "minimum ideal distance".</summary>
    public abstract string Description { get; }

    /// <summary>The value the rule minimises.</summary>
    public abstract double Score(SelectionCandidate candidate, IdealPoint ideal);

    /// <summary>How far the candidate is from satisfying the rule's constraint; 0 when it satisfies it (always, for unconstrained rules).</summary>
    public virtual double Violation(SelectionCandidate candidate, IdealPoint ideal) => 0;

    /// <inheritdoc />
    public override string ToString() => Description;

    /// <summary>Applies the rule with its tie-breaks.</summary>
    /// <exception cref="UnsatisfiedSelectionRuleException">No candidate satisfies the constraint.</exception>
    internal SelectionCandidate Choose(IReadOnlyList<SelectionCandidate> candidates, IdealPoint ideal)
    {
        var rated = candidates.Select(c => (
            Candidate: c,
            Score: Finite(Score(c, ideal), c, "score"),
            Violation: Finite(Violation(c, ideal), c, "violation"),
            Distance: ideal.DistanceTo(c.FDpo, c.FSft))).ToArray();

        var satisfying = rated.Where(r => r.Violation <= 0).ToArray();
        if (satisfying.Length == 0)
        {
            var closest = rated.OrderBy(r => r.Violation).ThenBy(r => r.Candidate.Name, StringComparer.Ordinal).First();
            throw new UnsatisfiedSelectionRuleException(Description, closest.Candidate, closest.Violation);
        }
        return satisfying
            .OrderBy(r => r.Score)
            .ThenBy(r => r.Distance)
            .ThenBy(r => r.Candidate.Name, StringComparer.Ordinal)
            .First().Candidate;
    }

    // A NaN would sort first and be chosen silently; the built-in rules never produce one from validated candidates.
    private double Finite(double value, SelectionCandidate candidate, string what) => double.IsFinite(value)
        ? value
        : throw new InvalidOperationException($"Selection rule '{Description}' gave candidate '{candidate.Name}' a non-finite {what} ({value}).");
}
