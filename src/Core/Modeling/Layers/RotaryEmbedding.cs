using static TorchSharp.torch;

namespace XRight.Modeling.Layers;

/// <summary>
/// Rotary position embedding in the rotate-half layout Hugging Face uses for Llama and GPT-NeoX:
/// the first <see cref="RotarySettings.RotaryDim"/> dimensions of each head are rotated pairwise
/// (i, i + d/2) by the angle position · θ^(−2i/d); the remaining dimensions pass through.
/// </summary>
internal sealed class RotaryEmbedding(RotarySettings settings)
{
    private readonly float[] _inverseFrequencies = settings.InverseFrequencies();

    public int RotaryDim { get; } = settings.RotaryDim;

    /// <summary>cos and sin of the angles for <paramref name="positions"/> [B, T], shaped [B, 1, T, RotaryDim] to broadcast over heads.</summary>
    public (Tensor Cos, Tensor Sin) Angles(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        // Angles in float32 as Hugging Face computes them, then cast to the activations' type.
        var inv = tensor(_inverseFrequencies, device: positions.device);
        var freqs = positions.to(ScalarType.Float32).unsqueeze(-1) * inv;
        var emb = cat([freqs, freqs], -1).unsqueeze(1);
        var cos = emb.cos().to(dtype).MoveToOuterDisposeScope();
        var sin = emb.sin().to(dtype).MoveToOuterDisposeScope();
        return (cos, sin);
    }

    /// <summary>Rotates <paramref name="x"/> [B, H, T, D] by the angles from <see cref="Angles"/>.</summary>
    public Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long headDim = x.shape[^1];
        // split, not narrow: split's backward concatenates the parts' gradients once, where each narrow's
        // would fill a zero tensor of the whole width and autograd would add them up.
        var parts = RotaryDim < headDim ? x.split([RotaryDim, headDim - RotaryDim], -1) : [x];
        var rotated = parts[0];
        var result = rotated * cos + RotateHalf(rotated) * sin;
        if (RotaryDim < headDim) result = cat([result, parts[1]], -1);
        return result.MoveToOuterDisposeScope();
    }

    // (x1, x2) -> (−x2, x1) over the two halves of the last dimension.
    private static Tensor RotateHalf(Tensor x)
    {
        var halves = x.chunk(2, -1);
        return cat([halves[1].neg(), halves[0]], -1);
    }
}
