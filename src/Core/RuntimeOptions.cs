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

    /// <summary>
    /// Mixed-precision training: <see cref="XRight.MixedPrecision.BFloat16"/> or <see cref="XRight.MixedPrecision.Float16"/>
    /// runs the policy's forward and backward passes in that type (a float32 model is converted at the start of
    /// training, the float32 weights becoming the masters) while the optimizer keeps float32 master copies of the
    /// trainable weights and float32 AdamW moments; a frozen base (LoRA) stays in the half type, at half the memory.
    /// Losses and log-probs are float32 either way. Float16 adds dynamic loss scaling
    /// (<see cref="InitialLossScale"/>, <see cref="LossScaleGrowthInterval"/>). Default: none.
    /// </summary>
    public MixedPrecision MixedPrecision { get; init; } = MixedPrecision.None;

    /// <summary>
    /// The first loss scale of <see cref="XRight.MixedPrecision.Float16"/> training, a power of two (torch's
    /// GradScaler starts at 2^16). Ignored otherwise. Default: 65536.
    /// </summary>
    public double InitialLossScale { get; init; } = 65536;

    /// <summary>
    /// Steps in a row without overflowing gradients after which the float16 loss scale doubles (torch's
    /// GradScaler: 2000). Ignored unless <see cref="MixedPrecision"/> is Float16. Default: 2000.
    /// </summary>
    public int LossScaleGrowthInterval { get; init; } = 2000;

    /// <summary>The seed in effect: <see cref="Seed"/>, else <see cref="DefaultSeed"/>.</summary>
    public int EffectiveSeed => Seed ?? DefaultSeed;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Device)) throw new ArgumentException("Runtime.Device must name a device (cpu, cuda, cuda:N or auto).", "Runtime.Device");
        if (Threads < 0) throw new ArgumentOutOfRangeException("Runtime.Threads", Threads, $"Runtime.Threads must be 0 or more, found {Threads}.");
        var check = new OptionCheck("Runtime");
        check.Require(Enum.IsDefined(MixedPrecision), nameof(MixedPrecision), MixedPrecision, "must be None, BFloat16 or Float16");
        check.Require(InitialLossScale > 0 && double.IsFinite(InitialLossScale) && Math.ScaleB(1, Math.ILogB(InitialLossScale)) == InitialLossScale,
            nameof(InitialLossScale), InitialLossScale, "must be a positive power of two");
        check.Require(LossScaleGrowthInterval >= 1, nameof(LossScaleGrowthInterval), LossScaleGrowthInterval, "must be 1 or more");
    }
}
