using XRight.Training;

namespace XRight;

/// <summary>Where and how tensors are computed, and the one seed of a run.</summary>
public sealed record RuntimeOptions
{
    /// <summary>The seed used when <see cref="Seed"/> is not set (and no ML.NET context gives one).</summary>
    public const int DefaultSeed = 42;

    /// <summary>
    /// <c>cpu</c>, <c>cuda</c> (first GPU), <c>cuda:N</c>, or <c>auto</c> (the first GPU when one is
    /// usable, else the CPU). Default: <c>auto</c>.
    /// </summary>
    [NotInFingerprint("a run may resume on another device")]
    public string Device { get; init; } = "auto";

    /// <summary>When CUDA is asked for and none is usable: run on the CPU instead of failing. Default: false.</summary>
    [NotInFingerprint("a run may resume on another device")]
    public bool AllowCpuFallback { get; init; }

    /// <summary>
    /// The one seed behind initialisation, dropout, data order and strategy draws. Null: the ML.NET
    /// context's seed in the ML.NET stages, else <see cref="DefaultSeed"/>. Default: null.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>CPU threads for tensor work; 0 keeps libtorch's default (one per core). Default: 0.</summary>
    [NotInFingerprint("thread count does not change what is computed")]
    public int Threads { get; init; }

    /// <summary>
    /// Recompute each decoder layer's activations in the backward pass instead of keeping them
    /// (<see cref="Modeling.CausalLm.GradientCheckpointing"/>): activation memory of one layer instead of
    /// all, for a recomputed forward pass per step. Gradients and results are unchanged. Default: false.
    /// </summary>
    [NotInFingerprint("recomputation gives the same gradients; it trades time for memory")]
    public bool GradientCheckpointing { get; init; }

    /// <summary>The seed in effect: <see cref="Seed"/>, else <see cref="DefaultSeed"/>.</summary>
    public int EffectiveSeed => Seed ?? DefaultSeed;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Device)) throw new ArgumentException("Runtime.Device must name a device (cpu, cuda, cuda:N or auto).", "Runtime.Device");
        if (Threads < 0) throw new ArgumentOutOfRangeException("Runtime.Threads", Threads, $"Runtime.Threads must be 0 or more, found {Threads}.");
    }
}
