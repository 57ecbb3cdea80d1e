namespace XRight;

/// <summary>How the two objectives share the optimizer steps (SPEC.md section 3).</summary>
public enum JointStrategy
{
    /// <summary>All DPO epochs, then all SFT epochs (or the reverse): the baseline that forgets.</summary>
    Sequential,

    /// <summary>Every step on λ·f_DPO + (1−λ)·f_SFT, both graphs alive: the costly baseline.</summary>
    Mix,

    /// <summary>Each step on DPO with probability λ, else on SFT (Algorithm 2).</summary>
    AlRight,

    /// <summary>Each step evaluates both objectives and updates the one with the larger weighted optimality gap.</summary>
    MaxRight,

    /// <summary>MAXRIGHT that evaluates both (without a graph) only every k steps and reuses stored values between (Algorithm 3).</summary>
    MemoryEfficientMaxRight,
}
