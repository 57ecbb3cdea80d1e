namespace XRight.GpuCheck;

/// <summary>The quantities compared against the CPU float32 reference.</summary>
internal enum Quantity
{
    /// <summary>Next-token logits [B, T, vocab] of a batch without padding.</summary>
    Logits,

    /// <summary>Summed response log-probs per row of a right-padded batch (the scoring path: ResponseLogProbs).</summary>
    SequenceLogProbs,

    /// <summary>f_SFT of that batch.</summary>
    SftLoss,

    /// <summary>f_DPO of a batch of pairs against fixed reference log-probs.</summary>
    DpoLoss,

    /// <summary>The gradients of f_SFT + f_DPO, all parameters concatenated, before clipping.</summary>
    Gradients,

    /// <summary>All parameters after global-norm clipping and one AdamW step.</summary>
    WeightsAfterAdamW,
}

/// <summary>
/// The tolerances of the equality check, per quantity and element type, with the reason for each. The
/// reference is always the CPU in float32. On the CPU itself the float32 run repeats the reference's
/// computation and must be exact.
/// </summary>
internal static class Tolerances
{
    /// <summary>The learning rate of the checked AdamW step.</summary>
    public const double AdamWLearningRate = 1e-3;

    public static Tolerance For(Quantity quantity, string dtype, bool sameDevice)
    {
        if (dtype == "float32") return sameDevice ? Tolerance.Exact : Float32(quantity);
        if (dtype == "bfloat16") return BFloat16(quantity);
        throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Only float32 and bfloat16 are checked.");
    }

    private const string Float32Why =
        "float32 on both sides; the device's kernels (cuBLAS, fused attention, reductions) add in another order than the CPU's, " +
        "which moves results by a few units in the last place per operation (about 1e-6 relative); TF32 is off by default. ";

    private static Tolerance Float32(Quantity quantity) => quantity switch
    {
        Quantity.Logits => new(1e-4, 1e-4, Float32Why + "Logits of these models are O(1): 1e-4 leaves two orders of magnitude of margin."),
        Quantity.SequenceLogProbs => new(1e-3, 1e-5, Float32Why + "Each value sums tens of token log-probs of magnitude ~5, so the absolute error grows with the sum."),
        Quantity.SftLoss => new(1e-5, 1e-5, Float32Why + "A mean over all response tokens: errors average out."),
        Quantity.DpoLoss => new(1e-5, 1e-5, Float32Why + "−log σ(β·Δ) with β = 0.1 shrinks the log-prob errors tenfold."),
        Quantity.Gradients => new(1e-5, 1e-3, Float32Why + "Gradients are sums over tokens of products of activations; small entries carry the absolute error of the large sums they come from."),
        Quantity.WeightsAfterAdamW => new(1e-5, 1e-5,
            Float32Why + $"The first AdamW step moves each weight by about lr·sign(g) (lr = {AdamWLearningRate}); where a gradient entry is so close to zero that its sign " +
            "is rounding noise, the two devices may step in opposite directions (error 2·lr), so up to 0.1 % of the elements may exceed 1e-5.",
            AllowedFailingFraction: 1e-3),
        _ => throw new ArgumentOutOfRangeException(nameof(quantity)),
    };

    private const string BFloat16Why =
        "bfloat16 weights and activations against the float32 reference: bfloat16 keeps 8 significant bits (relative rounding 2^-9 ≈ 0.2 % per value, " +
        "and per operation), and the rounding of weights and of every layer's output compounds through the layers; losses and log-probs are computed " +
        "in float32 from bfloat16 logits. The bounds are several times the errors the CPU's own bfloat16 kernels show against its float32 ones. ";

    private static Tolerance BFloat16(Quantity quantity) => quantity switch
    {
        Quantity.Logits => new(5e-2, 5e-2, BFloat16Why),
        Quantity.SequenceLogProbs => new(5e-1, 2e-2, BFloat16Why + "Sums of tens of token log-probs add up their errors."),
        Quantity.SftLoss => new(5e-2, 1e-2, BFloat16Why),
        Quantity.DpoLoss => new(2e-2, 2e-2, BFloat16Why + "β = 0.1 scales the log-prob differences down."),
        Quantity.Gradients => new(5e-3, 2.5e-1, BFloat16Why + "Gradients come from bfloat16 backward passes: about two significant digits; entries near zero carry the absolute error of the sums they come from."),
        Quantity.WeightsAfterAdamW => new(2.5 * AdamWLearningRate, 1.0 / 128,
            BFloat16Why + "The weights themselves are bfloat16 (the element type of the model and of the AdamW state), so each differs from the float32 " +
            "one by up to 2^-9 relative before and after the step (rtol 2^-7 allows both, with margin). The first AdamW step moves a weight by about " +
            $"lr·sign(g) (lr = {AdamWLearningRate}); an entry whose gradient is so small that its sign differs between the two precisions steps the " +
            "other way, an error of 2·lr, plus the rounding of the stepped bfloat16 value (relative to its own magnitude, which may exceed the " +
            "reference's): hence atol 2.5·lr."),
        _ => throw new ArgumentOutOfRangeException(nameof(quantity)),
    };
}
