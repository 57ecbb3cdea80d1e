using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Objectives;

/// <summary>Checks and precision rules shared by the loss functions.</summary>
internal static class LossInputs
{
    /// <summary>
    /// Losses are never computed in half precision: bf16/fp16 (and integer counts) become fp32,
    /// fp32 and fp64 are kept so that double-precision callers (gradient checks) lose nothing.
    /// </summary>
    public static Tensor Promote(Tensor t) =>
        t.dtype is ScalarType.Float32 or ScalarType.Float64 ? t : t.to_type(ScalarType.Float32);

    /// <summary>Throws unless every tensor is a non-empty 1-D floating tensor of the same length.</summary>
    public static void RequireSameVectors(string what, params (Tensor Tensor, string Name)[] inputs)
    {
        long? length = null;
        string? first = null;
        foreach (var (tensor, name) in inputs)
        {
            ArgumentNullException.ThrowIfNull(tensor, name);
            if (tensor.dim() != 1 || tensor.shape[0] == 0)
                throw new ArgumentException($"{what}: '{name}' must be a non-empty 1-D tensor (one value per row); found shape [{string.Join(", ", tensor.shape)}].", name);
            if (length is { } expected && tensor.shape[0] != expected)
                throw new ArgumentException($"{what}: '{name}' has {tensor.shape[0]} rows but '{first}' has {expected}.", name);
            length ??= tensor.shape[0];
            first ??= name;
        }
    }

    /// <summary>Throws unless <paramref name="tensor"/> holds floating-point values.</summary>
    public static void RequireFloating(string what, Tensor tensor, string name)
    {
        if (!torch.is_floating_point(tensor))
            throw new ArgumentException($"{what}: '{name}' must hold floating-point log-probabilities; found {tensor.dtype}.", name);
    }
}
