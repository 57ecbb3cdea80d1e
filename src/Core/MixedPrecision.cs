namespace XRight;

/// <summary>
/// How training mixes precisions (<see cref="RuntimeOptions.MixedPrecision"/>). With either half type the
/// model's weights, activations and gradients are in that type, while the optimizer keeps float32 master
/// copies of the trainable weights and float32 AdamW moments, and losses and log-probs are computed in
/// float32.
/// </summary>
public enum MixedPrecision
{
    /// <summary>No mixing: everything, the optimizer state included, is in the model's own element type.</summary>
    None,

    /// <summary>bfloat16 compute with float32 master weights and optimizer state; no loss scaling (bfloat16 has float32's range).</summary>
    BFloat16,

    /// <summary>
    /// float16 compute with float32 master weights and optimizer state, and dynamic loss scaling: a step whose
    /// gradients overflow is skipped and the scale halved; it doubles after a run of good steps.
    /// </summary>
    Float16,
}
