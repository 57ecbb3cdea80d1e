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
