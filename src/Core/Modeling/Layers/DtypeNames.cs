using static TorchSharp.torch;

namespace XRight.Modeling.Layers;

/// <summary>Maps between <see cref="ModelDtype"/>, torch element types and Hugging Face's <c>torch_dtype</c> names.</summary>
internal static class DtypeNames
{
    public static ScalarType ToScalarType(this ModelDtype dtype) => dtype switch
    {
        ModelDtype.Float32 => ScalarType.Float32,
        ModelDtype.BFloat16 => ScalarType.BFloat16,
        ModelDtype.Float16 => ScalarType.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown model dtype."),
    };

    /// <summary>The element type the model computes in under <paramref name="precision"/>; null for none (the model's own).</summary>
    public static ScalarType? ComputeType(this MixedPrecision precision) => precision switch
    {
        MixedPrecision.None => null,
        MixedPrecision.BFloat16 => ScalarType.BFloat16,
        MixedPrecision.Float16 => ScalarType.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown mixed precision."),
    };

    public static string HuggingFaceName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float64 => "float64",
        _ => throw new NotSupportedException($"Weights of element type {type} have no Hugging Face dtype name."),
    };
}
