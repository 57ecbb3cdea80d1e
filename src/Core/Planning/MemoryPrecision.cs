namespace XRight.Planning;

/// <summary>The element types a memory estimate assumes for weights, gradients and activations.</summary>
public enum MemoryPrecision
{
    /// <summary>Everything in float32: weights, gradients, AdamW moments and activations (4 bytes each).</summary>
    Float32,

    /// <summary>
    /// bfloat16 compute: frozen base weights and activations in bfloat16 (2 bytes); trainable parameters kept
    /// as float32 master copies with float32 AdamW moments (LoRA adapters are float32 already, so they need no
    /// second copy; fully trained weights have a bfloat16 working copy, its bfloat16 gradient, and the float32
    /// master); logits and log-probabilities in float32.
    /// </summary>
    BFloat16,
}

/// <summary>Where the DPO reference log-probabilities come from while the policy trains.</summary>
public enum ReferenceMemory
{
    /// <summary>Computed once before training and cached per row (what the trainer does): a few dozen bytes a pair.</summary>
    CachedLogProbs,

    /// <summary>A second, frozen copy of the model scored on every DPO batch without a graph: its weights stay resident.</summary>
    FrozenCopy,

    /// <summary>The policy with its LoRA adapters switched off, scored without a graph: no extra weights (LoRA only).</summary>
    PolicyWithoutAdapters,
}
