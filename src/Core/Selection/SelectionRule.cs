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

    /// <summary>
    /// The candidate with the best value of <paramref name="metric"/> (largest when higher is better, smallest
    /// otherwise) among those that satisfy every constraint, for example the best MMLU accuracy subject to a
    /// DPO gap ≤ c: <c>Best(SelectionMetric.Benchmark("mmlu", "acc"), SelectionConstraint.AtMost(SelectionMetric.DpoGap, c))</c>.
    /// Its score is the metric's value, negated when higher is better.
    /// </summary>
    /// <exception cref="ArgumentException">A metric or a constraint is null.</exception>
    public static SelectionRule Best(SelectionMetric metric, params SelectionConstraint[] constraints) => new BestMetricRule(metric, constraints);

    /// <summary>
    /// The candidate with the largest ∆m% against its paired Sequential run (<see cref="SelectionMetric.DeltaM"/>,
    /// over <see cref="ParetoSelectionOptions.ImprovementMetrics"/> when set); Sequential runs count 0.
    /// </summary>
    public static SelectionRule BestOverallImprovement { get; } = new BestMetricRule(SelectionMetric.DeltaM, []);

    /// <summary>The metrics the rule reads beyond f_DPO and f_SFT; selection fails up front, naming the metric, when a candidate lacks one. Default: none.</summary>
    public virtual IReadOnlyList<SelectionMetric> Metrics => [];

    /// <summary>A short description for reports and errors, for example "minimum ideal distance".</summary>
    public abstract string Description { get; }

    /// <summary>The value the rule minimises.</summary>
    public abstract double Score(SelectionCandidate candidate, IdealPoint ideal);

    /// <summary>How far the candidate is from satisfying the rule's constraint; 0 when it satisfies it (always, for unconstrained rules).</summary>
    public virtual double Violation(SelectionCandidate candidate, IdealPoint ideal) => 0;

    /// <summary>
    /// The value the rule minimises for a report row (gaps, the comparison with the paired Sequential run and
    /// benchmark results included). Default: <see cref="Score(SelectionCandidate, IdealPoint)"/> of the row's candidate.
    /// </summary>
    public virtual double Score(CandidateAssessment row, IdealPoint ideal)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Score(row.Candidate, ideal);
    }

    /// <summary>How far a report row misses the rule's constraint. Default: <see cref="Violation(SelectionCandidate, IdealPoint)"/> of its candidate.</summary>
    public virtual double Violation(CandidateAssessment row, IdealPoint ideal)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Violation(row.Candidate, ideal);
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    /// <summary>Applies the rule with its tie-breaks.</summary>
    /// <exception cref="UnsatisfiedSelectionRuleException">No candidate satisfies the constraint.</exception>
    internal SelectionCandidate Choose(IReadOnlyList<SelectionCandidate> candidates, IdealPoint ideal) =>
        Choose(Rate([.. candidates.Select(c => Unrated(c, ideal))], ideal), ideal);

    /// <summary><paramref name="candidate"/>'s gaps and ideal distance, not yet rated by a rule nor placed on the front.</summary>
    private protected static CandidateAssessment Unrated(SelectionCandidate candidate, IdealPoint ideal) => new()
    {
        Candidate = candidate,
        OnFront = false,
        DpoGap = ideal.DpoGap(candidate.FDpo),
        SftGap = ideal.SftGap(candidate.FSft),
        IdealDistance = ideal.DistanceTo(candidate.FDpo, candidate.FSft),
        RuleScore = 0,
        RuleViolation = 0,
    };

    /// <summary>Applies the rule, with the scores and violations of <see cref="Rate"/>, and its tie-breaks.</summary>
    /// <exception cref="UnsatisfiedSelectionRuleException">No candidate satisfies the constraint.</exception>
    internal SelectionCandidate Choose(IReadOnlyList<CandidateAssessment> rows, IdealPoint ideal)
    {
        var rated = rows.Select(r => (
            r.Candidate,
            Score: Finite(r.RuleScore, r.Candidate, "score"),
            Violation: Finite(r.RuleViolation, r.Candidate, "violation"),
            Distance: ideal.DistanceTo(r.Candidate.FDpo, r.Candidate.FSft))).ToArray();

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

    /// <summary>The rows with the rule's score and violation filled in.</summary>
    internal CandidateAssessment[] Rate(IReadOnlyList<CandidateAssessment> rows, IdealPoint ideal) =>
        [.. rows.Select(r => r with { RuleScore = Score(r, ideal), RuleViolation = Violation(r, ideal) })];

    // A NaN would sort first and be chosen silently; the built-in rules never produce one from validated candidates.
    private double Finite(double value, SelectionCandidate candidate, string what) => double.IsFinite(value)
        ? value
        : throw new InvalidOperationException($"Selection rule '{Description}' gave candidate '{candidate.Name}' a non-finite {what} ({value}).");
}
