using System.Diagnostics;
using static TorchSharp.torch;

namespace XRight.Benchmarks;

/// <summary>
/// The machine's dense float32 matmul rate with the same libtorch build and thread count the training
/// uses: the best of several timed square products at a few sizes. This is the denominator of the
/// model FLOP utilisation.
/// </summary>
internal static class MatmulPeak
{
    public sealed record Measurement(int Size, double GflopsPerSecond);

    public static IReadOnlyList<Measurement> Measure(IReadOnlyList<int> sizes, double secondsPerSize)
    {
        var results = new List<Measurement>();
        foreach (int n in sizes)
        {
            using var scope = NewDisposeScope();
            var a = randn(n, n);
            var b = randn(n, n);
            a.matmul(b).Dispose(); // warm-up: thread pool, packing buffers
            double best = double.MaxValue, spent = 0;
            int reps = 0;
            while (reps < 3 || spent < secondsPerSize)
            {
                var watch = Stopwatch.StartNew();
                using (a.matmul(b)) { }
                double s = watch.Elapsed.TotalSeconds;
                best = Math.Min(best, s);
                spent += s;
                reps++;
            }
            results.Add(new Measurement(n, 2.0 * n * n * n / best / 1e9));
        }
        return results;
    }
}
