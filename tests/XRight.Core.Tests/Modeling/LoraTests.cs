using TorchSharp;
using XRight.Modeling;
using XRight.Modeling.Lora;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class LoraTests
{
    private static readonly long[] Tokens = [3, 44, 17, 9, 28, 5];

    /// <summary>Gives every adapter a non-zero B, as training would.</summary>
    internal static void PerturbAdapters(CausalLm model, int seed = 9)
    {
        using var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, p) in model.named_parameters().Where(p => p.name.EndsWith("lora_B.weight", StringComparison.Ordinal)))
            p.copy_(empty(p.shape, p.dtype).normal_(0, 0.3, generator));
    }

    [TestMethod]
    [DataRow("neox", 4)]
    [DataRow("llama", 8)]
    [DataRow("opt", 8)]
    public void ZeroInitialisedAdaptersLeaveTheModelUnchangedAndAreTheOnlyTrainableParameters(string variant, int adapterTensors)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        using var scope = NewDisposeScope();
        Tensor before;
        using (no_grad()) before = model.Forward(TinyModels.Ids(Tokens));

        model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8 });
        Tensor after;
        using (no_grad()) after = model.Forward(TinyModels.Ids(Tokens));

        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(before, after));
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.HasCount(adapterTensors, trainable);
        Assert.IsTrue(trainable.All(n => n.EndsWith(".lora_A.weight", StringComparison.Ordinal) || n.EndsWith(".lora_B.weight", StringComparison.Ordinal)), string.Join(", ", trainable));
        Assert.HasCount(adapterTensors, model.TrainableParameters());
        string expectedTarget = variant == "neox" ? "attention.query_key_value" : "self_attn.q_proj";
        Assert.IsTrue(trainable.Any(n => n.Contains(expectedTarget, StringComparison.Ordinal)), string.Join(", ", trainable));

        var loraA = model.named_parameters().First(p => p.name.EndsWith("lora_A.weight", StringComparison.Ordinal)).parameter;
        var loraB = model.named_parameters().First(p => p.name.EndsWith("lora_B.weight", StringComparison.Ordinal)).parameter;
        Assert.AreEqual(4, loraA.shape[0]);
        Assert.AreEqual(4, loraB.shape[1]);
        Assert.AreEqual(0f, loraB.abs().max().item<float>());
        double bound = 1 / Math.Sqrt(model.Config.HiddenSize);
        double maxA = loraA.abs().max().item<float>();
        Assert.IsTrue(maxA > 0.5 * bound && maxA <= bound, $"A should be U(−{bound}, {bound}); max |A| = {maxA}");
    }

    [TestMethod]
    public void AttachingAdaptersDrawsOnlyFromTheirOwnSeed()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(123);
        var expected = torch.rand(6).data<float>().ToArray();
        torch.manual_seed(123);
        using var first = TinyModels.Randomized(TinyModels.NeoX());
        first.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8, Seed = 3 });
        CollectionAssert.AreEqual(expected, torch.rand(6).data<float>().ToArray(), "torch's global generator is untouched");

        torch.manual_seed(7);
        using var second = TinyModels.Randomized(TinyModels.NeoX());
        second.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8, Seed = 3 });
        var a = first.named_parameters().Where(p => p.name.EndsWith("lora_A.weight", StringComparison.Ordinal)).Select(p => p.parameter).ToArray();
        var b = second.named_parameters().Where(p => p.name.EndsWith("lora_A.weight", StringComparison.Ordinal)).Select(p => p.parameter).ToArray();
        Assert.HasCount(a.Length, b);
        for (int i = 0; i < a.Length; i++) CollectionAssert.AreEqual(a[i].data<float>().ToArray(), b[i].data<float>().ToArray(), "the same LoRA seed gives the same A whatever torch's generator holds");
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt-350m")]
    public void MergedEqualsUnmergedAndUnmergeRestoresTheBaseWeights(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        model.ApplyLora(new LoraOptions { Rank = 2, Alpha = 6, TargetModules = [LoraOptions.AllLinear] });
        PerturbAdapters(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var baseWeights = model.named_parameters().Where(p => !p.name.Contains("lora_")).ToDictionary(p => p.name, p => p.parameter.clone());
        Tensor baseline;
        using (model.DisableLora()) baseline = model.Forward(TinyModels.Ids(Tokens));
        var unmerged = model.Forward(TinyModels.Ids(Tokens));
        Assert.IsGreaterThan(1e-2, TinyModels.MaxAbsDifference(baseline, unmerged), "a non-zero B must change the outputs");

        model.MergeLora();
        Assert.IsTrue(model.IsLoraMerged);
        var merged = model.Forward(TinyModels.Ids(Tokens));
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(unmerged, merged));

        model.UnmergeLora();
        Assert.IsFalse(model.IsLoraMerged);
        foreach (var (name, p) in model.named_parameters().Where(p => !p.name.Contains("lora_")))
            Assert.IsLessThan(1e-6, TinyModels.MaxAbsDifference(baseWeights[name], p), name);
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(unmerged, model.Forward(TinyModels.Ids(Tokens))));
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    public void DisablingTheAdaptersGivesTheBaseModelForTheScopeOnly(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var baseline = model.Forward(TinyModels.Ids(Tokens));
        model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 4 });
        PerturbAdapters(model);
        var adapted = model.Forward(TinyModels.Ids(Tokens));

        using (model.DisableLora())
            Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(baseline, model.Forward(TinyModels.Ids(Tokens))));
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(adapted, model.Forward(TinyModels.Ids(Tokens))));
    }

    [TestMethod]
    public void ScalingIsAlphaOverRankOrOverItsRootWithRsLora()
    {
        Assert.AreEqual(2.0, new LoraOptions { Rank = 16, Alpha = 32 }.Scaling);
        Assert.AreEqual(8.0, new LoraOptions { Rank = 16, Alpha = 32, UseRsLora = true }.Scaling);

        // One adapted layer by hand: y − y_base = (α/r)·B·A·x at the input of q_proj.
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.ApplyLora(new LoraOptions { Rank = 2, Alpha = 3, TargetModules = ["model.layers.0.self_attn.q_proj"] });
        PerturbAdapters(model);
        var layer = model.LinearLayers().Single(l => l.Layer.HasLora).Layer;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(5, model.Config.HiddenSize);
        var expected = x.matmul(layer.Weight.t()) + 1.5 * x.matmul(layer.LoraA.t()).matmul(layer.LoraB.t());
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(expected, layer.Forward(x)));
    }

    [TestMethod]
    public void OnlyTheAdaptersMoveWhenTraining()
    {
        using var model = TinyModels.Randomized(TinyModels.NeoX());
        model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.1 });
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var optimizer = optim.AdamW(model.TrainableParameters(), lr: 1e-2);
        for (int step = 0; step < 2; step++) // A only gets a gradient once B is no longer zero
        {
            using var scope = NewDisposeScope();
            using var batch = CausalLmBatch.Collate([([1, 2, 3], [4, 5])], 0, CPU);
            using var result = ResponseLogProbs.Compute(model, batch);
            optimizer.zero_grad();
            (-result.SumLogProbs.sum()).backward();
            optimizer.step();
        }
        foreach (var (name, p) in model.named_parameters())
        {
            double moved = TinyModels.MaxAbsDifference(before[name], p);
            if (name.Contains("lora_")) Assert.IsGreaterThan(0.0, moved, name);
            else Assert.AreEqual(0.0, moved, name);
        }
    }

    [TestMethod]
    public void BadOptionsAndMisuseAreReported()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        Assert.ThrowsExactly<InvalidOperationException>(() => model.MergeLora());
        Assert.ThrowsExactly<InvalidOperationException>(() => model.DisableLora());
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.ApplyLora(new LoraOptions { Rank = 0 })).Message, "Rank");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.ApplyLora(new LoraOptions { Dropout = 1 })).Message, "Dropout");
        var unknown = Assert.ThrowsExactly<ArgumentException>(() => model.ApplyLora(new LoraOptions { TargetModules = ["q_proj", "query_key_value"] }));
        StringAssert.Contains(unknown.Message, "'query_key_value'");
        foreach (var name in new[] { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head" })
            StringAssert.Contains(unknown.Message, name);
        Assert.IsNull(model.Lora);

        model.ApplyLora(new LoraOptions());
        Assert.ThrowsExactly<InvalidOperationException>(() => model.ApplyLora(new LoraOptions()));
        model.MergeLora();
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => model.DisableLora()).Message, "UnmergeLora");
    }

    [TestMethod]
    public void AdapterDropoutActsOnlyInTrainingMode()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.5 });
        PerturbAdapters(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.train();
        var first = model.Forward(TinyModels.Ids(Tokens));
        var second = model.Forward(TinyModels.Ids(Tokens));
        Assert.IsGreaterThan(1e-4, TinyModels.MaxAbsDifference(first, second));
        model.eval();
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(model.Forward(TinyModels.Ids(Tokens)), model.Forward(TinyModels.Ids(Tokens))));
    }

    [TestMethod]
    public void AllLinearLeavesTheOutputHeadAlone()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.ApplyLora(new LoraOptions { TargetModules = [LoraOptions.AllLinear] });
        var adapted = model.LinearLayers().Where(l => l.Layer.HasLora).Select(l => l.Name).ToList();
        Assert.HasCount(2 * 7, adapted);
        Assert.DoesNotContain("lm_head", adapted);
    }
}
