using TorchSharp;
using XRight.Training;
using XRight.Training.Optimization;
using static TorchSharp.torch;

namespace XRight.Tests.Training;

[TestClass]
public sealed class MixedPrecisionTests
{
    [TestMethod]
    public void AMasterUpdateFromBfloat16GradientsEqualsTheDoublePrecisionUpdate()
    {
        // Weights and gradients in bfloat16; the master is float32 and must take the exact AdamW step of those
        // bfloat16 gradients (which float32 and double hold exactly), not a step rounded to bfloat16.
        using var scope = NewDisposeScope();
        manual_seed(9);
        const double lr = 1e-3, beta1 = 0.9, beta2 = 0.95, eps = 1e-8, decay = 0.05, maxNorm = 2.0;
        var p = new TorchSharp.Modules.Parameter(randn(257).to(ScalarType.BFloat16));
        var startValues = p.to(ScalarType.Float64).data<double>().ToArray();
        using var adam = new AdamW([p], beta1, beta2, eps, decay, masterWeights: true);
        Assert.IsTrue(adam.HasMasterWeights);
        Assert.AreEqual(ScalarType.Float32, adam.Master(0)!.dtype);
        Assert.AreEqual(ScalarType.Float32, adam.StateTensors()["exp_avg.0"].dtype, "the moments are float32");
        var master = adam.Master(0)!.to(ScalarType.Float64).data<double>().ToArray();
        CollectionAssert.AreEqual(startValues, master, "the master starts as the bfloat16 weights, exactly");

        var g = (randn(257) * 0.5).to(ScalarType.BFloat16);
        var gradient = g.to(ScalarType.Float64).data<double>().ToArray();
        p.grad = g.clone();
        var norm = adam.GradientNorm();
        adam.Step(lr, norm, maxNorm);

        // One step in double: clip, decay, m̂ = g', v̂ = g'² after bias correction, so p − lr·g'/(|g'| + ε).
        double coefficient = Math.Min(1, maxNorm / (Math.Sqrt(gradient.Sum(x => x * x)) + 1e-6));
        Assert.IsLessThan(1.0, coefficient, "this step is clipped");
        var updatedMaster = adam.Master(0)!.to(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < startValues.Length; i++)
        {
            double gi = gradient[i] * coefficient;
            double expected = startValues[i] * (1 - lr * decay) - lr * gi / (Math.Abs(gi) + eps);
            // float32 rounding of a weight |p| ≲ 4 and of its update lr: a few ulps, 2^-24·(|p| + lr) each.
            Assert.AreEqual(expected, updatedMaster[i], 4 * Math.Pow(2, -24) * (Math.Abs(expected) + lr) * 4, $"master[{i}]");
        }
        // The parameter the model computes with is the master rounded to bfloat16.
        var rounded = adam.Master(0)!.to(ScalarType.BFloat16).to(ScalarType.Float64).data<double>().ToArray();
        CollectionAssert.AreEqual(rounded, p.to(ScalarType.Float64).data<double>().ToArray());
        Assert.AreEqual(ScalarType.BFloat16, p.dtype);
    }

    [TestMethod]
    public void MasterWeightsKeepUpdatesSmallerThanBfloat16Resolution()
    {
        // A weight of 1 with lr 1e-4: each AdamW step moves it by lr·sign(g) = 1e-4 (constant gradient: m̂/√v̂ = 1),
        // below bfloat16's half-spacing at 1 (2^-9 ≈ 0.00195). Pure bfloat16 AdamW loses every step; the master
        // accumulates them, and after 20 steps (0.002 > 2^-9) the bfloat16 weight moves to the next value below 1.
        using var scope = NewDisposeScope();
        var pure = new TorchSharp.Modules.Parameter(ones(4, ScalarType.BFloat16));
        var mixed = new TorchSharp.Modules.Parameter(ones(4, ScalarType.BFloat16));
        using var pureAdam = new AdamW([pure], 0.9, 0.95, 1e-8, 0);
        using var mixedAdam = new AdamW([mixed], 0.9, 0.95, 1e-8, 0, masterWeights: true);
        for (int step = 1; step <= 20; step++)
        {
            pure.grad = full(4, 0.5, ScalarType.BFloat16);
            mixed.grad = full(4, 0.5, ScalarType.BFloat16);
            pureAdam.Step(1e-4);
            mixedAdam.Step(1e-4);
            pureAdam.ZeroGrad();
            mixedAdam.ZeroGrad();
            Assert.AreEqual(1 - step * 1e-4, mixedAdam.Master(0)!.to(ScalarType.Float64)[0].item<double>(), 1e-6, $"master after step {step}");
        }
        Assert.AreEqual(1.0, pure.to(ScalarType.Float64)[0].item<double>(), "pure bfloat16 AdamW rounds every step away");
        Assert.AreEqual(1 - Math.Pow(2, -8), mixed.to(ScalarType.Float64)[0].item<double>(), "0.998 rounds to the bfloat16 below 1, 1 − 2^-8");
    }

    [TestMethod]
    public void LossScalerHalvesOnOverflowAndDoublesAfterItsGrowthInterval()
    {
        var scaler = new DynamicLossScaler(initialScale: 8, growthInterval: 2);
        scaler.Update(overflow: false);
        Assert.AreEqual((8.0, 1), (scaler.Scale, scaler.GoodSteps));
        scaler.Update(overflow: false);
        Assert.AreEqual((16.0, 0), (scaler.Scale, scaler.GoodSteps), "two good steps double it");
        scaler.Update(overflow: false);
        scaler.Update(overflow: true);
        Assert.AreEqual((8.0, 0, 1), (scaler.Scale, scaler.GoodSteps, scaler.SkippedSteps), "an overflow halves it and restarts the count");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DynamicLossScaler(3, 10), "not a power of two");
        var tiny = new DynamicLossScaler(Math.Pow(2, -24), 10);
        Assert.ThrowsExactly<InvalidOperationException>(() => tiny.Update(overflow: true), "overflow below float16's smallest scale is divergence");
    }

    [TestMethod]
    public void AnInfiniteFloat16GradientGivesAnInfiniteNormAndTheUnscaledNormOtherwise()
    {
        using var scope = NewDisposeScope();
        var p = new TorchSharp.Modules.Parameter(zeros(2, ScalarType.Float16));
        var q = new TorchSharp.Modules.Parameter(zeros(1, ScalarType.Float16));
        using var adam = new AdamW([p, q], 0.9, 0.95, 1e-8, 0, masterWeights: true);
        // Gradients of a loss scaled by 1024: (3, 0) and (4) times 1024; the unscaled norm is 5.
        p.grad = tensor(new float[] { 3072f, 0f }).to(ScalarType.Float16);
        q.grad = tensor(new float[] { 4096f }).to(ScalarType.Float16);
        Assert.AreEqual(5f, adam.GradientNorm(1.0 / 1024).item<float>(), 1e-6f);
        q.grad = tensor(new float[] { float.PositiveInfinity }).to(ScalarType.Float16);
        Assert.IsTrue(DynamicLossScaler.Overflowed(adam.GradientNorm(1.0 / 1024).item<float>()));
    }

    [TestMethod]
    public void Float16TrainingSkipsOverflowingStepsAndHalvesTheScale()
    {
        // A loss scale of 2^40 overflows float16 (largest 65504 ≈ 2^16) in every gradient: each step is skipped,
        // the weights stay exactly as they started, and the scale halves per step: 2^40 → 2^37 after 3 steps.
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Strategy = options.Strategy with { MaxSteps = 3 },
            Runtime = options.Runtime with { MixedPrecision = MixedPrecision.Float16, InitialLossScale = Math.Pow(2, 40) },
        };
        var reports = new List<TrainingProgress>();
        using var start = TinyTask.Model();
        start.to(ScalarType.Float16);
        var result = new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data(), new Collect(reports));
        using var model = result.Model;
        Assert.AreEqual(3, result.Summary.Steps);
        var training = reports.Where(r => r.Phase == "training" && r.Step > 0).ToArray();
        CollectionAssert.AreEqual(new double?[] { Math.Pow(2, 39), Math.Pow(2, 38), Math.Pow(2, 37) }, training.Select(r => r.LossScale).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, training.Select(r => r.SkippedSteps).ToArray());
        Assert.IsTrue(training.All(r => !double.IsFinite(r.GradientNorm)));
        var before = start.state_dict();
        foreach (var (name, t) in model.state_dict())
        {
            Assert.AreEqual(ScalarType.Float16, t.dtype, name);
            CollectionAssert.AreEqual(before[name].bytes.ToArray(), t.bytes.ToArray(), $"{name} changed in a skipped step");
        }
    }

    [TestMethod]
    [DataRow(MixedPrecision.BFloat16)]
    [DataRow(MixedPrecision.Float16)]
    public void AMixedPrecisionRunLowersBothLosses(MixedPrecision precision)
    {
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Strategy = options.Strategy with { Epochs = 2 },
            Runtime = options.Runtime with { MixedPrecision = precision, InitialLossScale = 1024 },
        };
        var result = new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data());
        using var model = result.Model;
        Assert.AreEqual(precision == MixedPrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float16, model.Dtype);
        var first = result.Summary.Trajectory[0];
        var final = result.Summary.Final;
        // Held-out losses after step 1 and at the end of 12 steps (same evaluation rows).
        Assert.IsLessThan(first.FSft - 0.3, final.FSft, $"f_SFT {first.FSft:F4} → {final.FSft:F4}");
        Assert.IsLessThan(first.FDpo - 0.05, final.FDpo, $"f_DPO {first.FDpo:F4} → {final.FDpo:F4}");
    }

    [TestMethod]
    public void ABfloat16FrozenBaseTakesHalfTheBytesAndTheAdaptersStayFloat32()
    {
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Lora = new LoraOptions { Rank = 4, Alpha = 8 },
            Strategy = options.Strategy with { MaxSteps = 2 },
            Runtime = options.Runtime with { MixedPrecision = MixedPrecision.BFloat16 },
        };
        using var fp32 = TinyTask.Model();
        fp32.ApplyLora(options.Lora);
        var result = new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data());
        using var model = result.Model;
        static long Bytes(IEnumerable<TorchSharp.Modules.Parameter> ps) => ps.Sum(p => p.NumberOfElements * p.ElementSize);
        long frozen32 = Bytes(fp32.parameters().Where(p => !p.requires_grad));
        long frozen16 = Bytes(model.parameters().Where(p => !p.requires_grad));
        Assert.IsGreaterThan(0L, frozen32);
        Assert.AreEqual(frozen32 / 2, frozen16, "bfloat16 takes 2 bytes a weight where float32 takes 4");
        Assert.IsTrue(model.parameters().Where(p => !p.requires_grad).All(p => p.dtype == ScalarType.BFloat16));
        // The adapters are made in float32 on a half-precision base (as PEFT makes them): their own masters.
        Assert.IsTrue(model.parameters().Where(p => p.requires_grad).All(p => p.dtype == ScalarType.Float32));
        Assert.AreEqual(Bytes(fp32.parameters().Where(p => p.requires_grad)), Bytes(model.parameters().Where(p => p.requires_grad)));
    }

    [TestMethod]
    [DataRow(MixedPrecision.BFloat16)]
    [DataRow(MixedPrecision.Float16)]
    public void ResumingAMixedPrecisionRunIsBitIdenticalToAnUninterruptedOne(MixedPrecision precision)
    {
        var data = TinyTask.Data();
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        // Float16: 2^20 overflows in the first steps, which are skipped, then the scale grows every 3 good steps,
        // so the scale, its counter and the skipped steps all have to come back from the checkpoint.
        options = options with { Runtime = options.Runtime with { MixedPrecision = precision, InitialLossScale = Math.Pow(2, 20), LossScaleGrowthInterval = 3 } };

        var reports = new List<TrainingProgress>();
        var straight = new JointTrainer(options).Train(() => TinyTask.Model(), data, new Collect(reports));
        using var straightModel = straight.Model;
        var interrupted = options with { Checkpoints = options.Checkpoints with { Directory = dir.Path, Interval = 5 } };
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsExactly<OperationCanceledException>(() => new JointTrainer(interrupted).Train(() => TinyTask.Model(), data, new StopAt(7, cancel), cancel.Token));
        var last = Directory.GetDirectories(dir.Path).Order().Last();
        Assert.AreEqual("checkpoint-0000005", Path.GetFileName(last));
        var resumed = options with { Checkpoints = options.Checkpoints with { ResumeFrom = last } };
        var resumedReports = new List<TrainingProgress>();
        var result = new JointTrainer(resumed).Train(() => TinyTask.Model(), data, new Collect(resumedReports));
        using var resumedModel = result.Model;

        if (precision == MixedPrecision.Float16)
        {
            var scales = reports.Where(r => r.Phase == "training" && r.Step > 0).Select(r => r.LossScale).ToArray();
            Assert.IsTrue(reports.Any(r => r.SkippedSteps > 0), "some steps overflowed");
            Assert.IsTrue(scales.Zip(scales.Skip(1)).Any(s => s.Second > s.First), "the scale grew");
            CollectionAssert.AreEqual(scales.Skip(5).ToArray(), resumedReports.Where(r => r.Phase == "training" && r.Step > 0).Select(r => r.LossScale).ToArray());
        }
        var a = straightModel.state_dict();
        var b = resumedModel.state_dict();
        foreach (var (name, tensor) in a)
            CollectionAssert.AreEqual(tensor.bytes.ToArray(), b[name].bytes.ToArray(), $"{name} differs");
        CollectionAssert.AreEqual(straight.Summary.Trajectory.Select(p => (p.Step, p.FDpo, p.FSft)).ToArray(),
            result.Summary.Trajectory.Select(p => (p.Step, p.FDpo, p.FSft)).ToArray());
    }

    [TestMethod]
    public void AMixedPrecisionCheckpointDoesNotResumeAFullPrecisionRun()
    {
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        var mixed = options with
        {
            Strategy = options.Strategy with { MaxSteps = 2 },
            Runtime = options.Runtime with { MixedPrecision = MixedPrecision.BFloat16 },
            Checkpoints = options.Checkpoints with { Directory = dir.Path },
        };
        using (new JointTrainer(mixed).Train(() => TinyTask.Model(), TinyTask.Data()).Model) { }
        var last = Directory.GetDirectories(dir.Path).Single();
        var plain = mixed with { Runtime = mixed.Runtime with { MixedPrecision = MixedPrecision.None }, Checkpoints = new CheckpointOptions { ResumeFrom = last } };
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new JointTrainer(plain).Train(() => TinyTask.Model(), TinyTask.Data()));
        StringAssert.Contains(e.Message, "Runtime.MixedPrecision: checkpoint BFloat16, now None");
    }

    [TestMethod]
    [DataRow("Runtime.InitialLossScale", 3.0)]
    [DataRow("Runtime.InitialLossScale", 0.0)]
    [DataRow("Runtime.LossScaleGrowthInterval", 0.0)]
    public void BadLossScalingOptionsFailBeforeAnyWork(string option, double value)
    {
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Runtime = option == "Runtime.InitialLossScale"
                ? options.Runtime with { MixedPrecision = MixedPrecision.Float16, InitialLossScale = value }
                : options.Runtime with { MixedPrecision = MixedPrecision.Float16, LossScaleGrowthInterval = (int)value },
        };
        int created = 0;
        var e = Assert.Throws<ArgumentException>(() => new JointTrainer(options).Train(() => { created++; return TinyTask.Model(); }, TinyTask.Data()));
        StringAssert.Contains(e.Message, option);
        Assert.AreEqual(0, created);
    }

    private sealed class Collect(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }

    private sealed class StopAt(int step, CancellationTokenSource cancel) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Phase == "training" && value.Step == step) cancel.Cancel();
        }
    }
}
