namespace XRight.Selection;

/// <summary>
/// The ideal point (f*_DPO, f*_SFT) and the distances the paper measures from it: per-objective
/// optimality gaps, the ideal distance and the mixture gap G_Mix,λ.
/// </summary>
/// <param name="FDpo">f*_DPO.</param>
/// <param name="FSft">f*_SFT.</param>
/// <param name="DpoSource">How <paramref name="FDpo"/> was obtained.</param>
/// <param name="SftSource">How <paramref name="FSft"/> was obtained.</param>
/// <remarks>
/// The point never lies above a value a candidate reached: where a candidate's final value is below the
/// obtained f*, <see cref="ParetoSelection.Analyze"/> moves the coordinate to the smallest such value and
/// records the candidate in <see cref="DpoMovedToCandidate"/> / <see cref="SftMovedToCandidate"/> and the
/// value it replaced in <see cref="DpoBeforeMove"/> / <see cref="SftBeforeMove"/> (the source stays that of the replaced value).
/// </remarks>
public sealed record IdealPoint(double FDpo, double FSft, IdealValueSource DpoSource, IdealValueSource SftSource)
{
    /// <summary>The candidate whose final f_DPO was below the obtained f*_DPO, when <see cref="FDpo"/> moved to it; null when it did not move.</summary>
    public string? DpoMovedToCandidate { get; init; }

    /// <summary>The f*_DPO that was obtained (from <see cref="DpoSource"/>) before it moved; null when it did not move.</summary>
    public double? DpoBeforeMove { get; init; }

    /// <summary>The candidate whose final f_SFT was below the obtained f*_SFT, when <see cref="FSft"/> moved to it; null when it did not move.</summary>
    public string? SftMovedToCandidate { get; init; }

    /// <summary>The f*_SFT that was obtained (from <see cref="SftSource"/>) before it moved; null when it did not move.</summary>
    public double? SftBeforeMove { get; init; }

    /// <summary>True when a coordinate moved to an observed candidate minimum below its estimate.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool MovedToObservedMinimum => DpoMovedToCandidate is not null || SftMovedToCandidate is not null;

    /// <summary>The DPO optimality gap f_DPO − f*_DPO.</summary>
    public double DpoGap(double fDpo) => fDpo - FDpo;

    /// <summary>The SFT optimality gap f_SFT − f*_SFT.</summary>
    public double SftGap(double fSft) => fSft - FSft;

    /// <summary>The ideal distance: the Euclidean distance from (f_DPO, f_SFT) to the ideal point.</summary>
    public double DistanceTo(double fDpo, double fSft) => double.Hypot(DpoGap(fDpo), SftGap(fSft));

    /// <summary>
    /// The estimate of f*_Mix,λ = min_θ λ·f_DPO(θ) + (1−λ)·f_SFT(θ) available from the two
    /// single-objective optima: λ·f*_DPO + (1−λ)·f*_SFT. A minimum of a sum is at least the sum of the
    /// minima, so this is a lower bound of f*_Mix,λ and it is exact only where one model reaches both
    /// optima (the ideal point is attainable).
    /// </summary>
    /// <param name="lambda">λ ∈ [0, 1].</param>
    public double MixOptimum(double lambda)
    {
        CheckLambda(lambda);
        return lambda * FDpo + (1 - lambda) * FSft;
    }

    /// <summary>
    /// G_Mix,λ = f_Mix,λ − f*_Mix,λ with f*_Mix,λ from <see cref="MixOptimum"/>, that is
    /// λ·(DPO gap) + (1−λ)·(SFT gap). Because that f*_Mix,λ is a lower bound, this overstates the
    /// true gap by the same constant for every model, so rankings at one λ are unaffected.
    /// </summary>
    /// <param name="fDpo">Held-out f_DPO.</param>
    /// <param name="fSft">Held-out f_SFT.</param>
    /// <param name="lambda">λ ∈ [0, 1].</param>
    public double MixGap(double fDpo, double fSft, double lambda)
    {
        CheckLambda(lambda);
        return lambda * DpoGap(fDpo) + (1 - lambda) * SftGap(fSft);
    }

    private static void CheckLambda(double lambda)
    {
        if (!(lambda is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must lie in [0, 1].");
    }
}
