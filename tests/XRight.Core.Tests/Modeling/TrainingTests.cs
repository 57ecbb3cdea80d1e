using TorchSharp;
using XRight.Modeling;
using XRight.Modeling.Lora;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class TrainingTests
{
    private static readonly (int[] Prompt, int[] Response)[] Rows =
    [
        ([1, 10, 11], [20, 21, 22, 2]),
        ([1, 12], [30, 31, 2]),
        ([1, 13, 14, 15], [40, 2]),
    ];

    /// <summary>Token-mean negative log-likelihood of the responses: the SFT loss.</summary>
    private static Tensor Loss(CausalLm model, CausalLmBatch batch)
    {
        using var result = ResponseLogProbs.Compute(model, batch);
        return -result.SumLogProbs.sum() / result.TokenCounts.sum();
    }

    private static List<double> Train(CausalLm model, int steps, double lr)
    {
        var optimizer = optim.AdamW(model.TrainableParameters(), lr: lr);
        var losses = new List<double>();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            using var batch = CausalLmBatch.Collate(Rows, padId: 0, CPU);
            optimizer.zero_grad();
            var loss = Loss(model, batch);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        return losses;
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    public void FullFineTuningDrivesTheLossDown(string variant)
    {
        using var model = CausalLm.Create(TinyModels.ByName(variant), new ModelOptions { Seed = 5 });
        var losses = Train(model, steps: 20, lr: 1e-2);
        Assert.AreEqual(Math.Log(TinyModels.Vocab), losses[0], 0.3, "a fresh model is close to uniform");
        Assert.IsLessThan(0.5 * losses[0], losses[^1], string.Join(", ", losses.Select(l => l.ToString("F3"))));
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    public void LoraTrainingDrivesTheLossDown(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        model.ApplyLora(new LoraOptions { Rank = 8, Alpha = 16, TargetModules = [LoraOptions.AllLinear] });
        var losses = Train(model, steps: 20, lr: 2e-2);
        Assert.IsLessThan(0.5 * losses[0], losses[^1], string.Join(", ", losses.Select(l => l.ToString("F3"))));
    }

    [TestMethod]
    public void TheLiveTensorCountDoesNotGrowOverTrainingSteps()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.1 });
        var optimizer = optim.AdamW(model.TrainableParameters(), lr: 1e-3);
        void Step()
        {
            using var scope = NewDisposeScope();
            using var batch = CausalLmBatch.Collate(Rows, padId: 0, CPU);
            optimizer.zero_grad();
            Loss(model, batch).backward();
            optimizer.step();
        }

        Step(); // the optimizer creates its state on the first step
        var statistics = DisposeScopeManager.Statistics;
        long before = statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++) Step();
        Assert.AreEqual(before, statistics.ThreadTotalLiveCount, "tensors leaked by forward/backward steps");

        model.Generate([[1, 2, 3], [4]], new() { MaxNewTokens = 4, StopTokenIds = [] });
        long afterOneGeneration = statistics.ThreadTotalLiveCount;
        model.Generate([[1, 2, 3], [4]], new() { MaxNewTokens = 6, StopTokenIds = [] });
        Assert.AreEqual(afterOneGeneration, statistics.ThreadTotalLiveCount, "tensors leaked by generation");
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    public void BFloat16LogProbsAreFloat32AndCloseToTheFloat32Model(string variant)
    {
        using var fp32 = TinyModels.Randomized(TinyModels.ByName(variant));
        using var bf16 = CausalLm.Create(fp32.Config, new ModelOptions { Dtype = ModelDtype.BFloat16 });
        using (no_grad())
        {
            var source = fp32.state_dict();
            foreach (var (name, p) in bf16.state_dict()) p.copy_(source[name]);
        }
        using var scope = NewDisposeScope();
        using var batch = CausalLmBatch.Collate(Rows, padId: 0, CPU);
        using var exact = ResponseLogProbs.Compute(fp32, batch);
        using var low = ResponseLogProbs.Compute(bf16, batch);
        Assert.AreEqual(ScalarType.Float32, low.SumLogProbs.dtype);
        var a = TinyModels.ToDoubles(exact.SumLogProbs);
        var b = TinyModels.ToDoubles(low.SumLogProbs);
        for (int r = 0; r < a.Length; r++) Assert.AreEqual(a[r], b[r], 0.03 * Math.Abs(a[r]) + 0.05, $"row {r}");

        // One bf16 training step runs, with float32 adapters.
        bf16.ApplyLora(new LoraOptions { Rank = 2, Alpha = 4 });
        Assert.IsTrue(bf16.TrainableParameters().All(p => p.dtype == ScalarType.Float32));
        Loss(bf16, batch).backward();
        Assert.IsTrue(bf16.TrainableParameters().All(p => p.grad is not null));
    }
}
