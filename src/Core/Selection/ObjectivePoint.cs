namespace XRight.Selection;

/// <summary>A point in the objective space (both objectives are minimised).</summary>
internal readonly record struct ObjectivePoint(double FDpo, double FSft)
{
    /// <summary>True when this point is no worse than <paramref name="other"/> on both objectives and better on one.</summary>
    public bool Dominates(ObjectivePoint other) =>
        FDpo <= other.FDpo && FSft <= other.FSft && (FDpo < other.FDpo || FSft < other.FSft);
}
