using System.Runtime.InteropServices;
using TorchSharp;
using XRight.Modeling;
using XRight.Modeling.Lora;
using XRight.Tests.Training;
using XRight.Training;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class GradientCheckpointingTests
{
    private static readonly (int[] Prompt, int[] Response)[] Rows =
    [
        ([1, 10, 11], [20, 21, 22, 2]),
        ([1, 12], [30, 31, 2]),
        ([1, 13, 14, 15], [40, 2]),
    ];

    private static CausalLmConfig Config(string variant, double dropout) => (variant, dropout) switch
    {
        (_, 0) => TinyModels.ByName(variant),
        ("neox", _) => TinyModels.With(TinyModels.NeoX(), ("hidden_dropout", dropout), ("attention_dropout", dropout)),
        ("llama", _) => TinyModels.With(TinyModels.Llama(), ("attention_dropout", dropout)),
        ("opt", _) => TinyModels.With(TinyModels.Opt(dropout: dropout), ("attention_dropout", dropout)),
        _ => throw new ArgumentException(variant),
    };

    private static CausalLm Model(string variant, bool lora, double dropout)
    {
        var model = CausalLm.Create(Config(variant, dropout), new ModelOptions { Seed = 3 });
        if (lora) model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8, Dropout = dropout, TargetModules = ["all-linear"] });
        // Every parameter random, LoRA B included, so every gradient is non-trivial.
        TinyModels.Randomize(model, 7);
        model.train();
        return model;
    }

    /// <summary>The SFT loss's gradients (by parameter name) and the loss, from a fixed global seed.</summary>
    private static (Dictionary<string, double[]> Grads, double Loss) Gradients(CausalLm model, bool checkpointing)
    {
        model.GradientCheckpointing = checkpointing;
        torch.manual_seed(11);
        foreach (var p in model.parameters()) p.grad = null;
        using var scope = NewDisposeScope();
        using var batch = CausalLmBatch.Collate(Rows, padId: 0, CPU);
        using var result = ResponseLogProbs.Compute(model, batch);
        var loss = -result.SumLogProbs.sum() / result.TokenCounts.sum();
        loss.backward();
        var grads = model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => TinyModels.ToDoubles(p.parameter.grad ?? throw new AssertFailedException($"{p.name} got no gradient")));
        return (grads, loss.item<float>());
    }

    [TestMethod]
    [DataRow("neox", false, 0.0)]
    [DataRow("neox", true, 0.0)]
    [DataRow("neox", false, 0.2)]
    [DataRow("neox", true, 0.2)]
    [DataRow("llama", false, 0.0)]
    [DataRow("llama", true, 0.0)]
    [DataRow("llama", false, 0.2)]
    [DataRow("llama", true, 0.2)]
    [DataRow("opt", false, 0.0)]
    [DataRow("opt", true, 0.0)]
    [DataRow("opt", false, 0.2)]
    [DataRow("opt", true, 0.2)]
    public void CheckpointedGradientsEqualThePlainOnes(string variant, bool lora, double dropout)
    {
        using var model = Model(variant, lora, dropout);
        var (plain, plainLoss) = Gradients(model, checkpointing: false);
        var (checkpointed, checkpointedLoss) = Gradients(model, checkpointing: true);
        Assert.AreEqual(plainLoss, checkpointedLoss);
        if (lora) Assert.IsTrue(plain.Keys.All(k => k.Contains("lora_")), "LoRA trains the adapters only (embeddings frozen)");
        else Assert.IsTrue(plain.Keys.Any(k => k.Contains("embed")), "full fine-tuning trains the embeddings");
        CollectionAssert.AreEquivalent(plain.Keys.ToArray(), checkpointed.Keys.ToArray());
        foreach (var (name, g) in plain)
        {
            var c = checkpointed[name];
            double scale = g.Max(Math.Abs);
            Assert.IsGreaterThan(0.0, scale, $"{name}: zero gradient");
            double diff = g.Zip(c, (x, y) => Math.Abs(x - y)).Max();
            Assert.IsLessThanOrEqualTo(1e-6 * scale, diff, $"{name}: max |Δ| {diff:E2} of max |g| {scale:E2}");
            // The recomputation repeats the same kernels on the same values: bit for bit on the CPU.
            CollectionAssert.AreEqual(g, c, $"{name} is not bitwise equal");
        }
    }

    [TestMethod]
    public void TheRecomputationLeavesTheRandomStreamWhereThePlainPassLeavesIt()
    {
        using var model = Model("neox", lora: true, dropout: 0.2);
        Gradients(model, checkpointing: false);
        var plainNext = torch.rand(8).data<float>().ToArray();
        Gradients(model, checkpointing: true);
        var checkpointedNext = torch.rand(8).data<float>().ToArray();
        CollectionAssert.AreEqual(plainNext, checkpointedNext);
    }

    [TestMethod]
    public void ACheckpointedLayerKeepsNoWeightsForTheBackwardPass()
    {
        // Plain autograd saves the weights and refuses a backward pass after they change in place;
        // a checkpointed layer saved only its input and recomputes from the current weights.
        foreach (bool checkpointing in new[] { false, true })
        {
            using var model = Model("llama", lora: false, dropout: 0);
            model.GradientCheckpointing = checkpointing;
            using var scope = NewDisposeScope();
            using var batch = CausalLmBatch.Collate(Rows, padId: 0, CPU);
            using var result = ResponseLogProbs.Compute(model, batch);
            var loss = -result.SumLogProbs.sum();
            var weight = model.named_parameters().First(p => p.name == "model.layers.0.mlp.down_proj.weight").parameter;
            using (no_grad()) weight.mul_(1.5);
            if (checkpointing) loss.backward();
            else Assert.ThrowsExactly<ExternalException>(() => loss.backward());
        }
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    public void InferenceAndGenerationAreUnaffected(string variant)
    {
        using var model = Model(variant, lora: true, dropout: 0.2);
        model.eval();
        var ids = TinyModels.Ids([1, 10, 11, 12], [1, 13, 14, 15]);
        using var plainLogits = Logits(model, ids);
        var plainText = model.Generate([[1, 10, 11]], new GenerationOptions { MaxNewTokens = 6 });
        model.GradientCheckpointing = true;
        using var logits = Logits(model, ids);
        var text = model.Generate([[1, 10, 11]], new GenerationOptions { MaxNewTokens = 6 });
        CollectionAssert.AreEqual(TinyModels.ToDoubles(plainLogits), TinyModels.ToDoubles(logits));
        CollectionAssert.AreEqual(plainText[0].TokenIds.ToArray(), text[0].TokenIds.ToArray());
    }

    private static Tensor Logits(CausalLm model, Tensor ids)
    {
        using var noGrad = no_grad();
        return model.Forward(ids);
    }

    [TestMethod]
    [DataRow(false, JointStrategy.AlRight)]
    [DataRow(true, JointStrategy.MaxRight)]
    public void ATrainingRunWithCheckpointingEndsWithTheSameWeights(bool lora, JointStrategy strategy)
    {
        var data = TinyTask.Data();
        var options = TinyTask.Options(strategy);
        if (lora) options = options with { Lora = new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.1 } };
        CausalLm Model() => CausalLm.Create(
            CausalLmConfig.CreateGptNeoX(vocabSize: TinyTask.Vocab, hiddenSize: 16, numLayers: 2, numHeads: 2, eosTokenId: TinyTask.Eos),
            new ModelOptions { Seed = 1 });
        var plain = new JointTrainer(options).Train(Model, data);
        using var plainModel = plain.Model;
        var checkpointed = new JointTrainer(options with { Runtime = options.Runtime with { GradientCheckpointing = true } }).Train(Model, data);
        using var checkpointedModel = checkpointed.Model;

        Assert.IsFalse(checkpointedModel.GradientCheckpointing, "the run restores the model's setting");
        Assert.AreEqual(plain.Summary.Steps, checkpointed.Summary.Steps);
        var a = plainModel.state_dict();
        var b = checkpointedModel.state_dict();
        foreach (var (name, tensor) in a)
            CollectionAssert.AreEqual(tensor.data<float>().ToArray(), b[name].data<float>().ToArray(), $"{name} differs");
        CollectionAssert.AreEqual(plain.Summary.Trajectory.Select(p => (p.Step, p.FDpo, p.FSft)).ToArray(),
            checkpointed.Summary.Trajectory.Select(p => (p.Step, p.FDpo, p.FSft)).ToArray());
    }
}
