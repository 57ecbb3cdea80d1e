namespace XRight.Selection;

/// <summary>
/// The ideal point (f*_DPO, f*_SFT) and the distances the paper measures from it: per-objective
/// optimality gaps, the ideal distance and the mixture gap G_Mix,λ.
/// </summary>
/// <param name="FDpo">f*_DPO.</param>
/// <param name="FSft">f*_SFT.</param>
/// <param name="DpoSource">How <paramref name="FDpo"/> was obtained.</param>
/// <param name="SftSource">How <paramref name="FSft"/> was obtained.</param>
public sealed record IdealPoint(double FDpo, double FSft, IdealValueSource DpoSource, IdealValueSource SftSource)
{
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
