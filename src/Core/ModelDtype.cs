namespace XRight;

/// <summary>The element type of a model's weights and activations.</summary>
public enum ModelDtype
{
    /// <summary>32-bit float: the default, and the reference for correctness.</summary>
    Float32,

    /// <summary>bfloat16: half the memory, float32's range; losses and log-probs are still computed in float32.</summary>
    BFloat16,

    /// <summary>IEEE half precision.</summary>
    Float16,
}
