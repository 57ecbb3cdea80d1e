using System.Text.Json.Serialization;

namespace XRight.Selection;

/// <summary>
/// The outcome of <see cref="ParetoSelection.Analyze"/>: every candidate with its metrics, the ideal
/// point and how it was obtained, the rule and the chosen candidate. XRight.Reports writes it as Markdown,
/// as JSON (which loads back) and as plots.
/// </summary>
public sealed class SelectionReport
{
    /// <summary>Builds a report, checking that it is consistent (also when loaded from a file).</summary>
    [JsonConstructor]
    internal SelectionReport(IReadOnlyList<CandidateAssessment> candidates, IdealPoint ideal, string rule, string sequentialMatching, string chosen)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Any(c => c?.Candidate is null))
            throw new ArgumentException("Every report row must hold a candidate.", nameof(candidates));
        CandidateValidation.Check([.. candidates.Select(c => c.Candidate)], nameof(candidates));
        ArgumentNullException.ThrowIfNull(ideal);
        if (!double.IsFinite(ideal.FDpo) || !double.IsFinite(ideal.FSft))
            throw new ArgumentException($"The ideal point must be finite; found ({ideal.FDpo}, {ideal.FSft}).", nameof(ideal));
        ArgumentException.ThrowIfNullOrWhiteSpace(rule);
        ArgumentException.ThrowIfNullOrWhiteSpace(sequentialMatching);
        ArgumentException.ThrowIfNullOrWhiteSpace(chosen);
        ChosenCandidate = candidates.FirstOrDefault(c => c.Candidate.Name == chosen)
            ?? throw new ArgumentException($"The chosen candidate '{chosen}' is not among the report's candidates.", nameof(chosen));

        Candidates = candidates;
        Ideal = ideal;
        Rule = rule;
        SequentialMatching = sequentialMatching;
        Chosen = chosen;
    }

    /// <summary>One row per candidate, in the order the candidates were given.</summary>
    public IReadOnlyList<CandidateAssessment> Candidates { get; }

    /// <summary>The ideal point (f*_DPO, f*_SFT) and where each coordinate came from.</summary>
    public IdealPoint Ideal { get; }

    /// <summary>The description of the rule that chose the model.</summary>
    public string Rule { get; }

    /// <summary>How joint candidates were paired with Sequential runs.</summary>
    public string SequentialMatching { get; }

    /// <summary>The name of the chosen candidate.</summary>
    public string Chosen { get; }

    /// <summary>The chosen candidate's row.</summary>
    [JsonIgnore]
    public CandidateAssessment ChosenCandidate { get; }

    /// <summary>The rows of the candidates on the Pareto front.</summary>
    [JsonIgnore]
    public IEnumerable<CandidateAssessment> Front => Candidates.Where(c => c.OnFront);
}
