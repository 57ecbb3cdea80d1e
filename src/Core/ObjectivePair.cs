namespace XRight;

/// <summary>A value of each objective: losses, optima, gaps or a point of the objective space (both minimised).</summary>
/// <param name="Dpo">The DPO value (f_DPO).</param>
/// <param name="Sft">The SFT value (f_SFT).</param>
public readonly record struct ObjectivePair(double Dpo, double Sft)
{
    /// <summary>True when this point is no worse than <paramref name="other"/> on both objectives and better on one.</summary>
    public bool Dominates(ObjectivePair other) => Dpo <= other.Dpo && Sft <= other.Sft && (Dpo < other.Dpo || Sft < other.Sft);

    /// <summary>True when this point is no worse than <paramref name="other"/> on both objectives.</summary>
    public bool WeaklyDominates(ObjectivePair other) => Dpo <= other.Dpo && Sft <= other.Sft;
}
