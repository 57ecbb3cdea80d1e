using System.Diagnostics;
using XRight.Modeling;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Benchmarks;

/// <summary>
/// How fast a full fine-tuning step of a shape could run if only its matrix products and its attention cost
/// time: each linear layer's three products (forward, ∂x = g·W, ∂W = gᵀ·x) at the step's token count, the
/// head's on the scored tokens, and causal SDPA forward and backward, each timed alone (best of several runs)
/// in this process with the libtorch build and threads of the training. The step's model FLOPs over that time,
/// against the matmul peak, is the utilisation a step would reach with every other operation free.
/// </summary>
internal static class ProductCeiling
{
    public sealed record Result(double ProductSeconds, double ProductFlops, double AttentionSeconds);

    public static Result Measure(ModelShape shape, int length, int batch, int repeats)
    {
        long tokens = (long)length * batch, scored = (long)SyntheticRows.ScoredTokens(length) * batch;
        long h = shape.Hidden, i = shape.Intermediate;
        (long In, long Out)[] layer = shape.Architecture == CausalLmArchitecture.GptNeoX
            ? [(h, 3 * h), (h, h), (h, i), (i, h)]
            : [(h, h), (h, h), (h, h), (h, h), (h, i), (h, i), (i, h)];
        double seconds = 0, flops = 0;
        foreach (var (input, output) in layer)
        {
            seconds += shape.Layers * Products(tokens, input, output, repeats);
            flops += shape.Layers * 6.0 * tokens * input * output;
        }
        seconds += Products(scored, h, shape.Vocab, repeats);
        flops += 6.0 * scored * h * shape.Vocab;
        return new Result(seconds, flops, shape.Layers * Attention(batch, shape.Heads, length, h / shape.Heads, repeats));
    }

    private static double Products(long rows, long input, long output, int repeats)
    {
        using var scope = NewDisposeScope();
        var x = randn(rows, input);
        var w = randn(output, input);
        var g = randn(rows, output);
        return Best(() => F.linear(x, w), repeats) + Best(() => g.mm(w), repeats) + Best(() => g.t().mm(x), repeats);
    }

    private static double Attention(int batch, int heads, int length, long headDim, int repeats)
    {
        using var scope = NewDisposeScope();
        var q = randn(batch, heads, length, headDim).requires_grad_(true);
        var k = randn(batch, heads, length, headDim).requires_grad_(true);
        var v = randn(batch, heads, length, headDim).requires_grad_(true);
        var g = randn(batch, heads, length, headDim);
        return Best(() =>
        {
            var y = F.scaled_dot_product_attention(q, k, v, is_casual: true);
            y.backward([g]);
            foreach (var t in new[] { q, k, v }) t.grad = null;
            return y;
        }, repeats);
    }

    private static double Best(Func<Tensor> run, int repeats)
    {
        using (NewDisposeScope()) run(); // warm-up: packing buffers, thread pool
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            run();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return best;
    }
}
