using XRight.Toy;
using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Tests.Toy;

[TestClass]
public sealed class LowerBoundToyTests
{
    // f_Mix,0.5 = ½ log[(1 + e^5 u)(1 + 1/u)] with u = e^{θ/2} is smallest at u = e^{−2.5} (θ = −5), where the
    // product is (1 + e^{2.5})² = 173.778…: f*_Mix,0.5 = log(1 + e^{2.5}) = 2.5788897342925496 = ½ log 173.78.
    private const double MixOptimum = 2.5788897342925496;

    // The proof's bound: G_Mix,0.5(θ) ≥ 0.256843 for θ ≥ 0; exactly, G(0) = ½ log(2(1 + e^5)/173.778) = 0.27104.
    private const double PapersBound = 0.2568;

    [TestMethod]
    public void MixOptimumMatchesTheClosedForm()
    {
        var problem = PaperToys.LowerBound();
        Assert.AreEqual(MixOptimum, problem.EstimateMixOptimum(PaperToys.LowerBoundLambda, PaperToys.LowerBoundStart), 1e-10);
        Assert.AreEqual(MixOptimum, 0.5 * Math.Log(173.78), 1e-5);   // the paper's c* = 173.78
        Assert.AreEqual(0.2710415302319822, Gap(problem, 0.0, MixOptimum), 1e-12);
    }

    [TestMethod]
    [DataRow(1_000)]
    [DataRow(10_000)]
    [DataRow(100_000)]
    public void SequentialKeepsAConstantGap(int t)
    {
        var problem = PaperToys.LowerBound();
        var run = RunSequential(problem, t);
        Assert.IsTrue(run.Final.Theta[0] >= 0, $"T = {t}: θ_Seq = {run.Final.Theta[0]} (the proof shows θ_Seq ≥ 0)");
        Assert.IsTrue(Gap(problem, run.Final.Theta[0], MixOptimum) >= PapersBound, $"T = {t}");
    }

    [TestMethod]
    public void AlrightGapShrinksTowardZero()
    {
        var problem = PaperToys.LowerBound();
        var gaps = new[] { 1_000, 10_000, 100_000 }.Select(t => Gap(problem, RunAlright(problem, t).Final.Theta[0], MixOptimum)).ToArray();
        for (int i = 1; i < gaps.Length; i++)
            Assert.IsTrue(gaps[i] < gaps[i - 1], $"gaps {string.Join(", ", gaps)}");
        Assert.IsTrue(gaps[^1] < 0.002, $"gap at T = 100,000: {gaps[^1]}");
    }

    [TestMethod]
    public void WithTheTextsReferenceSequentialStillKeepsAGap()
    {
        // θ_ref = −5: f*_Mix,0.5 = log(1 + e^{1.25}) and G(0) = ½ log(2(1 + e^{2.5}) / (1 + e^{1.25})²) = 0.13409; the
        // same argument (θ_Seq ≥ 0) bounds the gap below by G(0), while ALRIGHT closes it.
        var problem = PaperToys.LowerBound(referenceTheta: -5);
        double optimum = problem.EstimateMixOptimum(0.5, PaperToys.LowerBoundStart);
        Assert.AreEqual(Math.Log(1 + Math.Exp(1.25)), optimum, 1e-10);
        Assert.AreEqual(0.13408937608087454, Gap(problem, 0, optimum), 1e-12);
        Assert.IsTrue(Gap(problem, RunSequential(problem, 100_000).Final.Theta[0], optimum) >= 0.134);
        Assert.IsTrue(Gap(problem, RunAlright(problem, 100_000).Final.Theta[0], optimum) < 0.002);
    }

    // Theorem 4.1's step size α = α0/√T with α0 = 1. Sequential: T steps per objective (Algorithm 1 with
    // T_DPO = T_SFT = T); ALRIGHT: the same budget of 2T steps. No weight decay in the proof.
    private static ToyRun RunSequential(ToyProblem problem, int t) =>
        ToyRunner.Run(problem, new SequentialStrategy([new(ObjectiveKind.Dpo, t), new(ObjectiveKind.Sft, t)]),
            PaperToys.LowerBoundStart, StepSize(t), recordEvery: t);

    private static ToyRun RunAlright(ToyProblem problem, int t) =>
        ToyRunner.Run(problem, new AlrightStrategy(PaperToys.LowerBoundLambda, 2 * t, seed: 3), PaperToys.LowerBoundStart, StepSize(2 * t), recordEvery: t);

    private static ToyOptimizerOptions StepSize(int steps) => new() { LearningRate = 1 / Math.Sqrt(steps), WeightDecay = 0 };

    private static double Gap(ToyProblem problem, double theta, double mixOptimum) =>
        0.5 * problem.Dpo([theta]) + 0.5 * problem.Sft([theta]) - mixOptimum;
}
