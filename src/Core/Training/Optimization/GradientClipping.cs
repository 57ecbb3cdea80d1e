using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Training.Optimization;

/// <summary>Global-norm gradient clipping that stays on the device (no host synchronisation).</summary>
internal static class GradientClipping
{
    /// <summary>
    /// Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/> (as
    /// torch.nn.utils.clip_grad_norm_ does) and returns the norm before clipping as a 0-d tensor.
    /// A non-positive <paramref name="maxNorm"/> measures without clipping.
    /// </summary>
    public static Tensor ClipByGlobalNorm(IEnumerable<TorchSharp.Modules.Parameter> parameters, double maxNorm)
    {
        using var _ = no_grad();
        var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return zeros(1).squeeze();
        using var scope = NewDisposeScope();
        var total = stack(grads.Select(g => g.to_type(ScalarType.Float32).norm()).ToArray()).norm();
        if (maxNorm > 0)
        {
            var coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);
            foreach (var g in grads) g.mul_(coefficient.to_type(g.dtype));
        }
        return total.MoveToOuterDisposeScope();
    }
}
