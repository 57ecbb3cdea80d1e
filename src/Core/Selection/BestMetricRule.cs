using System.Globalization;

namespace XRight.Selection;

/// <summary>See <see cref="SelectionRule.Best"/> and <see cref="SelectionRule.BestOverallImprovement"/>.</summary>
internal sealed class BestMetricRule : SelectionRule
{
    private readonly SelectionMetric _metric;
    private readonly SelectionConstraint[] _constraints;

    public BestMetricRule(SelectionMetric metric, IReadOnlyList<SelectionConstraint> constraints)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(constraints);
        ArgumentException.ThrowIfNullOrWhiteSpace(metric.Name, nameof(metric));
        if (constraints.Any(c => c?.Metric is null))
            throw new ArgumentException("Every constraint of a selection rule must name a metric.", nameof(constraints));
        if (constraints.FirstOrDefault(c => !double.IsFinite(c.Bound)) is { } infinite)
            throw new ArgumentOutOfRangeException(nameof(constraints), infinite.Bound, $"The bound of the constraint on '{infinite.Metric.Name}' must be a finite number.");
        _metric = metric;
        _constraints = [.. constraints];
    }

    public override IReadOnlyList<SelectionMetric> Metrics => [_metric, .. _constraints.Select(c => c.Metric)];

    public override string Description
    {
        get
        {
            var best = $"best {_metric.Name} ({(_metric.LowerIsBetter ? "lower" : "higher")} is better)";
            return _constraints.Length == 0 ? best : best + " subject to " + string.Join(" and ", _constraints.Select(c => c.ToString()));
        }
    }

    // Without the row there is no gap, pairing or benchmark to read; selection always rates rows.
    public override double Score(SelectionCandidate candidate, IdealPoint ideal) =>
        Score(Unrated(candidate, ideal), ideal);

    public override double Violation(SelectionCandidate candidate, IdealPoint ideal) =>
        Violation(Unrated(candidate, ideal), ideal);

    // A candidate without the ranked value (∆m% of an unpaired run, or undefined) cannot win: it scores 0 and counts as a violation of 1.
    public override double Score(CandidateAssessment row, IdealPoint ideal)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Read(_metric, row) is { } value ? (_metric.LowerIsBetter ? value : -value) : 0;
    }

    public override double Violation(CandidateAssessment row, IdealPoint ideal)
    {
        ArgumentNullException.ThrowIfNull(row);
        double violation = Read(_metric, row) is null ? 1 : 0;
        foreach (var constraint in _constraints)
            violation += Read(constraint.Metric, row) is { } value ? constraint.Violation(value) : 1;
        return violation;
    }

    // Only ∆m% may be missing on a row; any other metric a candidate lacks was never evaluated.
    private double? Read(SelectionMetric metric, CandidateAssessment row)
    {
        var value = metric.ValueOf(row);
        if (value is null && metric.Name != SelectionMetric.DeltaM.Name)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Selection rule '{Description}' reads the metric '{metric.Name}', which was not evaluated for candidate '{row.Candidate.Name}'; its metrics are: {string.Join(", ", SelectionMetric.NamesOf(row.Candidate))}."));
        if (value is { } v && double.IsNaN(v))
            throw new InvalidOperationException($"Selection rule '{Description}': candidate '{row.Candidate.Name}' has {metric.Name} = NaN (a rate over no items?).");
        return value;
    }
}
