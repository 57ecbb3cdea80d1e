using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// The Pareto-aware selection stage: from the trained models of a sweep to the Pareto front, the
/// ideal point, the per-model gaps and resource comparisons, and the model a rule chooses.
/// </summary>
public static class ParetoSelection
{
    /// <summary>Measures every candidate and applies the rule.</summary>
    /// <param name="candidates">The trained models of the sweep (unique names).</param>
    /// <param name="options">The rule, the known optima if any, and the Sequential pairing.</param>
    /// <exception cref="ArgumentException">A candidate or an option is invalid; the message names it.</exception>
    /// <exception cref="UnsatisfiedSelectionRuleException">No candidate satisfies the rule's constraint.</exception>
    public static SelectionReport Analyze(IReadOnlyList<SelectionCandidate> candidates, ParetoSelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CandidateValidation.Check(candidates, nameof(candidates));
        if (options.Rule is null)
            throw new ArgumentException("ParetoSelectionOptions.Rule must be set.", nameof(options));
        if (options.SequentialMatcher is null)
            throw new ArgumentException("ParetoSelectionOptions.SequentialMatcher must be set.", nameof(options));

        CheckMetrics(candidates, options);
        var ideal = IdealFor(candidates, options);
        var onFront = ParetoFront.Membership([.. candidates.Select(c => new ObjectivePair(c.FDpo, c.FSft))]);
        var matches = options.SequentialMatcher.Match(candidates);
        CheckMatches(candidates, matches);
        var rule = options.Rule;

        var measured = candidates.Select((c, i) => new CandidateAssessment
        {
            Candidate = c,
            OnFront = onFront[i],
            DpoGap = ideal.DpoGap(c.FDpo),
            SftGap = ideal.SftGap(c.FSft),
            IdealDistance = ideal.DistanceTo(c.FDpo, c.FSft),
            MixGap = c.Lambda is { } lambda ? ideal.MixGap(c.FDpo, c.FSft, lambda) : null,
            RuleScore = 0,
            RuleViolation = 0,
            VersusSequential = matches.TryGetValue(c.Name, out var sequential) ? SequentialComparison.Between(c, sequential, options.ImprovementMetrics) : null,
        }).ToArray();
        // The rule reads whole rows: gaps, ∆m% against the paired run and benchmark metrics as well as the objectives.
        var rows = rule.Rate(measured, ideal);

        var chosen = rule.Choose(rows, ideal);
        return new SelectionReport(rows, ideal, rule.Description, options.SequentialMatcher.Description, chosen.Name);
    }

    // A rule or ∆m% that reads a metric some candidate lacks fails before anything is measured, naming both.
    private static void CheckMetrics(IReadOnlyList<SelectionCandidate> candidates, ParetoSelectionOptions options)
    {
        if (options.ImprovementMetrics is { } metrics)
        {
            if (metrics.Count == 0 || metrics.Any(m => m is null))
                throw new ArgumentException("ParetoSelectionOptions.ImprovementMetrics must list at least one metric and no null; set it to null for the ∆m% over f_DPO and f_SFT only.", nameof(options));
            if (metrics.FirstOrDefault(m => m.IsDerived) is { } derived)
                throw new ArgumentException($"ParetoSelectionOptions.ImprovementMetrics: '{derived.Name}' is derived from the ideal point or the pairing; ∆m% is taken over objectives and benchmark metrics only.", nameof(options));
            if (metrics.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new ArgumentException($"ParetoSelectionOptions.ImprovementMetrics lists '{twice.Key}' more than once.", nameof(options));
            SelectionMetric.CheckPresent(metrics, candidates, "ParetoSelectionOptions.ImprovementMetrics");
        }
        SelectionMetric.CheckPresent(options.Rule.Metrics, candidates, $"Selection rule '{options.Rule.Description}'");
    }

    // The matcher may be user-written: its answer must pair joint candidates of this sweep with Sequential runs.
    private static void CheckMatches(IReadOnlyList<SelectionCandidate> candidates, IReadOnlyDictionary<string, SelectionCandidate> matches)
    {
        foreach (var (name, sequential) in matches)
        {
            var candidate = candidates.FirstOrDefault(c => c.Name == name);
            if (candidate is null || candidate.IsSequential || sequential is null || !sequential.IsSequential || !candidates.Contains(sequential))
                throw new ArgumentException(
                    $"The Sequential matcher paired '{name}' with '{sequential?.Name}'; expected a joint candidate of the sweep paired with a Sequential run of the sweep.",
                    nameof(candidates));
        }
    }

    private static IdealPoint IdealFor(IReadOnlyList<SelectionCandidate> candidates, ParetoSelectionOptions options)
    {
        static double Given(double value, string option) => double.IsFinite(value)
            ? value
            : throw new ArgumentException($"ParetoSelectionOptions.{option} must be finite when given; found {value}.", nameof(options));

        var obtained = new IdealPoint(
            options.DpoOptimum is { } dpo ? Given(dpo, nameof(options.DpoOptimum)) : candidates.Min(c => c.FDpo),
            options.SftOptimum is { } sft ? Given(sft, nameof(options.SftOptimum)) : candidates.Min(c => c.FSft),
            options.DpoOptimum is null ? IdealValueSource.CandidateMinimum : options.DpoOptimumSource,
            options.SftOptimum is null ? IdealValueSource.CandidateMinimum : options.SftOptimumSource);
        // The ideal point may never lie above a value a candidate reached: such an f* was no optimum.
        var bestDpo = candidates.MinBy(c => c.FDpo)!;
        var bestSft = candidates.MinBy(c => c.FSft)!;
        var ideal = obtained;
        if (bestDpo.FDpo < obtained.FDpo)
            ideal = ideal with { FDpo = bestDpo.FDpo, DpoMovedToCandidate = bestDpo.Name, DpoBeforeMove = obtained.FDpo };
        if (bestSft.FSft < obtained.FSft)
            ideal = ideal with { FSft = bestSft.FSft, SftMovedToCandidate = bestSft.Name, SftBeforeMove = obtained.FSft };
        return ideal;
    }
}
