using XRight;
using XRight.Toy;
using XRight.Training;
using XRight.Training.Strategies;

namespace ToyTradeoff;

/// <summary>
/// The 1-D example behind Theorem 3.3: Sequential's gap to the λ = 0.5 optimum stays large however long
/// it trains, ALRIGHT's shrinks (step size α0/√T, Theorem 4.1).
/// </summary>
internal static class LowerBoundExperiment
{
    private const double StepScale = 1.0;   // α0
    private static readonly int[] Horizons = [100, 1_000, 10_000, 100_000];
    private static readonly long[] Seeds = [1, 2, 3, 4, 5];

    public static void Run(string output)
    {
        var problem = PaperToys.LowerBound();
        double lambda = PaperToys.LowerBoundLambda;
        double optimum = problem.EstimateMixOptimum(lambda, PaperToys.LowerBoundStart);

        Console.WriteLine();
        Console.WriteLine($"1-D lower-bound example (proof of Theorem 3.3): λ = {lambda}, θ0 = 0, f*_Mix = {optimum:F6} (½ log 173.78 = {0.5 * Math.Log(173.78):F6}).");
        Console.WriteLine($"Sequential: T DPO then T SFT steps; ALRIGHT: 2T steps, mean of {Seeds.Length} seeds; step size {StepScale}/√(steps). The paper's bound for θ ≥ 0: G ≥ 0.2568.");
        var table = new TextTable("T", "Sequential θ", "Sequential G_Mix", "ALRIGHT G_Mix (mean)");
        var rows = new List<(int T, double SequentialGap, double AlrightGap)>();
        foreach (int t in Horizons)
        {
            var sequential = ToyRunner.Run(problem,
                new SequentialStrategy([new(ObjectiveKind.Dpo, t), new(ObjectiveKind.Sft, t)]),
                PaperToys.LowerBoundStart, StepSize(t), recordEvery: t);
            double sequentialGap = sequential.Final.Mix(lambda) - optimum;
            double alrightGap = Seeds.Average(seed =>
                ToyRunner.Run(problem, new AlrightStrategy(lambda, 2 * t, seed), PaperToys.LowerBoundStart, StepSize(2 * t), recordEvery: 2 * t)
                    .Final.Mix(lambda) - optimum);
            rows.Add((t, sequentialGap, alrightGap));
            table.Add($"{t:N0}", $"{sequential.Final.Theta[0]:F3}", $"{sequentialGap:F4}", $"{alrightGap:F6}");
        }
        table.Print();

        OutputFiles.WriteAtomically(Path.Combine(output, "lower-bound-gaps.csv"), writer =>
        {
            writer.WriteLine("T,sequential_gap,alright_mean_gap");
            foreach (var (t, s, a) in rows) writer.WriteLine($"{t},{s:R},{a:R}");
        });
        TrajectoryPlot.GapByHorizon(Path.Combine(output, "lower-bound-gaps.png"), rows);
    }

    private static ToyOptimizerOptions StepSize(int steps) => new() { LearningRate = StepScale / Math.Sqrt(steps), WeightDecay = 0 };
}
