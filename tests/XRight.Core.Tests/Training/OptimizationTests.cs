using TorchSharp;
using XRight.Training.Optimization;
using static TorchSharp.torch;

namespace XRight.Tests.Training;

[TestClass]
public sealed class OptimizationTests
{
    [TestMethod]
    public void AdamWMatchesTorchAdamW()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var init = randn(5, 3);
        var ours = new TorchSharp.Modules.Parameter(init.clone());
        var theirs = new TorchSharp.Modules.Parameter(init.clone());
        using var adam = new AdamW([ours], 0.9, 0.95, 1e-8, weightDecay: 0.1);
        var reference = optim.AdamW([theirs], lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1);
        var target = randn(5, 3);
        for (int step = 0; step < 5; step++)
        {
            (ours - target).pow(2).sum().backward();
            (theirs - target).pow(2).sum().backward();
            adam.Step(0.01);
            reference.step();
            adam.ZeroGrad();
            reference.zero_grad();
        }
        Assert.IsTrue(allclose(ours, theirs, rtol: 1e-6, atol: 1e-7), "parameters after 5 steps");
        Assert.AreEqual(5, adam.StepCount);
    }

    [TestMethod]
    public void FirstAdamStepMovesEachWeightByTheLearningRate()
    {
        // With bias correction, m̂ = g and v̂ = g² after one step, so the update is lr·g/(|g|+eps) ≈ lr·sign(g).
        using var scope = NewDisposeScope();
        var p = new TorchSharp.Modules.Parameter(tensor(new float[] { 1f, -2f, 3f }));
        using var adam = new AdamW([p], 0.9, 0.95, 1e-8, 0);
        (p * tensor(new float[] { 2f, -0.5f, 7f })).sum().backward();
        adam.Step(0.1);
        CollectionAssert.AreEqual(new[] { 0.9f, -1.9f, 2.9f }, p.data<float>().ToArray(), new FloatComparer(1e-6f));
    }

    [TestMethod]
    public void StateRoundTripContinuesIdentically()
    {
        using var scope = NewDisposeScope();
        var a = new TorchSharp.Modules.Parameter(ones(4));
        var b = new TorchSharp.Modules.Parameter(ones(4));
        using var first = new AdamW([a], 0.9, 0.95, 1e-8, 0);
        for (int i = 0; i < 3; i++) { (a * a * (i + 1)).sum().backward(); first.Step(0.05); first.ZeroGrad(); }
        using var second = new AdamW([b], 0.9, 0.95, 1e-8, 0);
        using (no_grad()) b.copy_(a);
        second.LoadState(first.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value.clone()), first.StepCount);
        (a * a).sum().backward(); first.Step(0.05);
        (b * b).sum().backward(); second.Step(0.05);
        CollectionAssert.AreEqual(a.data<float>().ToArray(), b.data<float>().ToArray());
    }

    [TestMethod]
    public void ClippingScalesToTheMaximumNormAndReportsTheOriginal()
    {
        using var scope = NewDisposeScope();
        var p = new TorchSharp.Modules.Parameter(zeros(2));
        var q = new TorchSharp.Modules.Parameter(zeros(1));
        p.grad = tensor(new float[] { 3f, 0f });
        q.grad = tensor(new float[] { 4f });
        var norm = GradientClipping.ClipByGlobalNorm([p, q], maxNorm: 1.0);
        Assert.AreEqual(5f, norm.item<float>(), 1e-6f);
        // scaled by 1/(5 + 1e-6)
        Assert.AreEqual(0.6f, p.grad.data<float>()[0], 1e-5f);
        Assert.AreEqual(0.8f, q.grad.data<float>()[0], 1e-5f);
        var again = GradientClipping.ClipByGlobalNorm([p, q], maxNorm: 10.0);
        Assert.AreEqual(1f, again.item<float>(), 1e-5f);
        Assert.AreEqual(0.8f, q.grad.data<float>()[0], 1e-5f, "below the maximum nothing changes");
    }

    /// <summary>
    /// AdamW with global-norm clipping, weight decay and bias correction written out in double precision,
    /// element by element, from the textbook formulas (Loshchilov and Hutter; clip_grad_norm_'s coefficient).
    /// </summary>
    private static double[] DoubleAdamW(double[] start, IReadOnlyList<double[]> gradients, double lr, double beta1, double beta2, double eps, double weightDecay, double maxNorm)
    {
        var p = (double[])start.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (int t = 1; t <= gradients.Count; t++)
        {
            var g = (double[])gradients[t - 1].Clone();
            double norm = Math.Sqrt(g.Sum(x => x * x));
            double coefficient = Math.Min(1.0, maxNorm / (norm + 1e-6));
            for (int i = 0; i < p.Length; i++)
            {
                g[i] *= coefficient;
                p[i] *= 1 - lr * weightDecay;
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(beta1, t));
                double vHat = v[i] / (1 - Math.Pow(beta2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        return p;
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void ClippedAdamWMatchesAnIndependentDoublePrecisionAdamW(bool fused)
    {
        // 70 003 elements: more than one parallel chunk of the fused kernel and a tail shorter than a vector.
        const int n = 70_003;
        const double lr = 0.01, beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weightDecay = 0.1, maxNorm = 150.0;
        using var scope = NewDisposeScope();
        var random = new Random(11);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var start = Enumerable.Range(0, n).Select(_ => (double)(float)Normal()).ToArray();
        // ‖g‖ ≈ √n·σ ≈ 265σ: steps with σ = 1 are clipped to 150, steps with σ = 0.3 (‖g‖ ≈ 79) are not.
        double[] sigmas = [1.0, 0.3, 1.0, 0.3, 0.3, 1.0];
        var gradients = sigmas.Select(sigma => Enumerable.Range(0, n).Select(_ => (double)(float)(sigma * Normal())).ToArray()).ToArray();
        var p = new TorchSharp.Modules.Parameter(tensor(start.Select(x => (float)x).ToArray()));
        using var adam = new AdamW([p], beta1, beta2, eps, weightDecay) { UseFusedKernel = fused };
        bool clippedOnce = false, unclippedOnce = false;
        foreach (var g in gradients)
        {
            p.grad = tensor(g.Select(x => (float)x).ToArray());
            var norm = adam.GradientNorm();
            double measured = norm.item<float>();
            double exact = Math.Sqrt(g.Sum(x => x * x));
            Assert.AreEqual(exact, measured, exact * 1e-5, "the global norm");
            clippedOnce |= exact > maxNorm;
            unclippedOnce |= exact < maxNorm;
            adam.Step(lr, norm, maxNorm);
            adam.ZeroGrad();
        }
        Assert.IsTrue(clippedOnce && unclippedOnce, "the steps exercise clipping and no clipping");
        var expected = DoubleAdamW(start, gradients, lr, beta1, beta2, eps, weightDecay, maxNorm);
        var actual = p.data<float>().ToArray();
        // float32 keeps 24 bits: each of the 6 steps rounds the weight (|p| ≤ ~5) a few times (≤ 2^-24·|p| each)
        // and its update (≤ lr·(1 + small), relative 2^-22); 6 steps × 4 roundings × 2^-24 ≈ 1.4e-6 relative, so
        // 3e-6·(|p| + lr) bounds the difference with margin while a wrong formula (missing bias correction,
        // decay or clipping) moves weights by 1e-3 or more.
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / (Math.Abs(expected[i]) + lr));
        Assert.IsLessThan(3e-6, worst, $"largest relative difference {worst:E2}");
        Assert.AreEqual(gradients.Length, adam.StepCount);
    }

    [TestMethod]
    public void FusedKernelAndTensorOperationsAgreeAndEachIsDeterministic()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var init = randn(3, 40_000);
        var grads = Enumerable.Range(0, 4).Select(_ => randn(3, 40_000) * 2).ToArray();
        float[] Run(bool fused)
        {
            var p = new TorchSharp.Modules.Parameter(init.clone());
            using var adam = new AdamW([p], 0.9, 0.95, 1e-8, 0.01) { UseFusedKernel = fused };
            foreach (var g in grads)
            {
                p.grad = g.clone();
                var norm = adam.GradientNorm();
                adam.Step(0.003, norm, 1.0);
                adam.ZeroGrad();
            }
            return p.data<float>().ToArray();
        }
        var fusedOnce = Run(true);
        CollectionAssert.AreEqual(fusedOnce, Run(true), "the fused kernel repeats bit for bit");
        var tensorPath = Run(false);
        CollectionAssert.AreEqual(tensorPath, Run(false), "the tensor path repeats bit for bit");
        double worst = fusedOnce.Zip(tensorPath, (a, b) => Math.Abs(a - b) / (Math.Abs(b) + 0.003)).Max();
        Assert.IsLessThan(2e-6, worst, $"the two paths agree to float rounding; largest relative difference {worst:E2}");
    }

    [TestMethod]
    public void SchedulesFollowTheirFormulas()
    {
        var constant = new LearningRateSchedule(LearningRateScheduleKind.Constant, 5e-5, 10, 100);
        Assert.AreEqual(5e-5, constant.At(0));
        Assert.AreEqual(5e-5, constant.At(99));
        var cosine = new LearningRateSchedule(LearningRateScheduleKind.WarmupCosine, 1.0, 4, 14);
        Assert.AreEqual(0.25, cosine.At(0), 1e-12);
        Assert.AreEqual(1.0, cosine.At(3), 1e-12);
        Assert.AreEqual(1.0, cosine.At(4), 1e-12);
        Assert.AreEqual(0.5, cosine.At(9), 1e-12); // halfway through the 10 decay steps: (1+cos(π/2))/2
        Assert.AreEqual(0.0, cosine.At(14), 1e-12);
    }

    private sealed class FloatComparer(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance ? 0 : 1;
    }
}
