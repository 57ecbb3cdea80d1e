namespace XRight.Selection;

/// <summary>Where a coordinate of the ideal point came from.</summary>
public enum IdealValueSource
{
    /// <summary>Given by the caller: f* from independent single-objective training, as in the paper.</summary>
    Given,

    /// <summary>Estimated as the minimum of that objective over the candidates (f* was not given).</summary>
    CandidateMinimum,

    /// <summary>Estimated by a single-objective run with the candidates' budget, as the paper approximates f* (<see cref="ParetoSweep"/>).</summary>
    Estimated,

    /// <summary>Like <see cref="Estimated"/>, by an earlier sweep with the same content key, and reused.</summary>
    ReusedEstimate,
}
