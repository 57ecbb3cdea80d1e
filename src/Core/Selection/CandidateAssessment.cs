using System.Text.Json.Serialization;

namespace XRight.Selection;

/// <summary>One row of a <see cref="SelectionReport"/>: a candidate and everything measured about it.</summary>
public sealed record CandidateAssessment
{
    /// <summary>The candidate as it was given.</summary>
    public required SelectionCandidate Candidate { get; init; }

    /// <summary>True when no other candidate dominates it (no worse on both objectives, better on one).</summary>
    public required bool OnFront { get; init; }

    /// <summary>f_DPO − f*_DPO.</summary>
    public required double DpoGap { get; init; }

    /// <summary>f_SFT − f*_SFT.</summary>
    public required double SftGap { get; init; }

    /// <summary>Euclidean distance to the ideal point.</summary>
    public required double IdealDistance { get; init; }

    /// <summary>G_Mix,λ at the candidate's own λ (see <see cref="IdealPoint.MixGap"/>); null for a Sequential run.</summary>
    public double? MixGap { get; init; }

    /// <summary>The value the selection rule minimises for this candidate.</summary>
    public required double RuleScore { get; init; }

    /// <summary>How far the candidate misses the rule's constraint; 0 when it satisfies it.</summary>
    public required double RuleViolation { get; init; }

    /// <summary>The comparison with the matching Sequential run; null for Sequential runs and unmatched candidates.</summary>
    public SequentialComparison? VersusSequential { get; init; }

    /// <summary>Why the candidate's run ended (<see cref="Training.TrainingRunSummary.StopReason"/>).</summary>
    [JsonIgnore]
    public TrainingStopReason StopReason => Candidate.Run.StopReason;

    /// <summary>Optimizer steps the candidate's run took (<see cref="Training.TrainingRunSummary.Steps"/>).</summary>
    [JsonIgnore]
    public int Steps => Candidate.Run.Steps;

    /// <summary>True when the candidate satisfies the selection rule's constraint.</summary>
    [JsonIgnore]
    public bool SatisfiesRule => RuleViolation <= 0;
}
