using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Training.Optimization;

/// <summary>
/// The AdamW update of one float32 CPU parameter in a single pass over its memory: each element's
/// gradient, weight and two moments are read once and the weight and moments written once, where the
/// sequence of tensor operations reads and writes the state seven times and allocates a temporary.
/// The update is memory-bound, so one pass is what makes it cheap. Vectorised with
/// <see cref="Vector{T}"/> and split over the libtorch thread count; every element is computed on its
/// own, so the result does not depend on the split.
/// </summary>
/// <remarks>
/// Each element follows the operations of the tensor path in the same order and in float32:
/// g·c (the clip coefficient), p·(1 − lr·λ), m + w·(g − m) (lerp with w = 1 − β1 &lt; 0.5),
/// v·β2 + ((1 − β2)·g)·g (addcmul), then p + ((−s)·m) / (√v + ε·√c2) (addcdiv). libtorch may fuse a
/// multiply and an add where this code rounds twice, so the two paths agree to float rounding, not bit
/// for bit; each path is deterministic on its own.
/// </remarks>
internal static unsafe class FusedAdamWKernel
{
    // Elements per work item: large enough that scheduling costs nothing, small enough to balance two to many threads.
    private const int Chunk = 1 << 16;

    /// <summary>The scalars of one update, already rounded to float32 as the tensor path rounds them.</summary>
    public readonly record struct Scalars(float GradientScale, float Decay, float MomentumWeight, float Beta2, float OneMinusBeta2, float EpsilonTerm, float NegativeStepSize);

    /// <summary>True when the kernel can update <paramref name="parameter"/> with these tensors: all float32, contiguous, on the CPU.</summary>
    public static bool Applies(Tensor parameter, Tensor gradient, Tensor expAvg, Tensor expAvgSq)
        => IsDenseCpuFloat(parameter) && IsDenseCpuFloat(gradient) && IsDenseCpuFloat(expAvg) && IsDenseCpuFloat(expAvgSq)
           && gradient.NumberOfElements == parameter.NumberOfElements;

    private static bool IsDenseCpuFloat(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous();

    /// <summary>Updates <paramref name="parameter"/>, <paramref name="expAvg"/> and <paramref name="expAvgSq"/> in place.</summary>
    public static void Step(Tensor parameter, Tensor gradient, Tensor expAvg, Tensor expAvgSq, Scalars s, int threads)
    {
        long n = parameter.NumberOfElements;
        if (n == 0) return;
        float* p = Pointer(parameter), g = Pointer(gradient), m = Pointer(expAvg), v = Pointer(expAvgSq);
        long chunks = (n + Chunk - 1) / Chunk;
        if (chunks == 1 || threads <= 1)
        {
            Range(p, g, m, v, 0, n, s);
            return;
        }
        // Pointers cannot be captured by a lambda; their addresses can.
        nint pa = (nint)p, ga = (nint)g, ma = (nint)m, va = (nint)v;
        Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            long start = c * Chunk;
            Range((float*)pa, (float*)ga, (float*)ma, (float*)va, start, Math.Min(n, start + Chunk), s);
        });
    }

    /// <summary>The address of a float32 tensor's first element (its storage start plus its offset).</summary>
    internal static float* Pointer(Tensor t)
    {
        using var storage = t.storage<float>();
        return (float*)storage.data_ptr() + t.storage_offset();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Range(float* p, float* g, float* m, float* v, long start, long end, Scalars s)
    {
        long i = start;
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var scale = new Vector<float>(s.GradientScale);
            var decay = new Vector<float>(s.Decay);
            var w = new Vector<float>(s.MomentumWeight);
            var beta2 = new Vector<float>(s.Beta2);
            var oneMinusBeta2 = new Vector<float>(s.OneMinusBeta2);
            var eps = new Vector<float>(s.EpsilonTerm);
            var negativeStep = new Vector<float>(s.NegativeStepSize);
            for (; i + width <= end; i += width)
            {
                var gi = Unsafe.ReadUnaligned<Vector<float>>(g + i) * scale;
                var pi = Unsafe.ReadUnaligned<Vector<float>>(p + i) * decay;
                var mi = Unsafe.ReadUnaligned<Vector<float>>(m + i);
                mi += w * (gi - mi);
                var vi = Unsafe.ReadUnaligned<Vector<float>>(v + i) * beta2;
                vi += oneMinusBeta2 * gi * gi;
                pi += negativeStep * mi / (Vector.SquareRoot(vi) + eps);
                Unsafe.WriteUnaligned(m + i, mi);
                Unsafe.WriteUnaligned(v + i, vi);
                Unsafe.WriteUnaligned(p + i, pi);
            }
        }
        for (; i < end; i++)
        {
            float gi = g[i] * s.GradientScale;
            float pi = p[i] * s.Decay;
            float mi = m[i];
            mi += s.MomentumWeight * (gi - mi);
            float vi = v[i] * s.Beta2;
            vi += s.OneMinusBeta2 * gi * gi;
            pi += s.NegativeStepSize * mi / (MathF.Sqrt(vi) + s.EpsilonTerm);
            m[i] = mi;
            v[i] = vi;
            p[i] = pi;
        }
    }
}
