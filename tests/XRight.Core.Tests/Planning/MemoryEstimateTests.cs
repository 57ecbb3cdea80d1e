using XRight.Modeling;
using XRight.Planning;
using XRight.Tests.Modeling;

namespace XRight.Tests.Planning;

[TestClass]
public sealed class MemoryEstimateTests
{
    // Vocabulary 128, hidden 32, 2 layers, 4 heads of 8, MLP 128, untied head, rotary on 2 of 8 head dims.
    private static CausalLmConfig NeoX() => CausalLmConfig.CreateGptNeoX(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 128);

    private static JointTrainerOptions Options(LoraOptions? lora = null, bool checkpointing = false, int accumulation = 1) => new()
    {
        Lora = lora,
        Runtime = new RuntimeOptions { GradientCheckpointing = checkpointing },
        Batches = new BatchOptions { GradientAccumulationSteps = accumulation },
    };

    private static readonly MemoryPlanSettings NoRuntime = new() { RuntimeOverheadBytes = 0 };

    [TestMethod]
    public void WeightsGradientsAndAdamStateOfAFullFloat32RunAreCountedExactly()
    {
        // Embedding 128·32 = 4096; per layer: two LayerNorms 4·32 = 128, query_key_value 32·96 + 96 = 3168,
        // dense 32·32 + 32 = 1056, dense_h_to_4h 32·128 + 128 = 4224, dense_4h_to_h 128·32 + 32 = 4128 → 12704;
        // final LayerNorm 64; head 128·32 = 4096. Total 4096 + 2·12704 + 64 + 4096 = 33664.
        var e = MemoryEstimate.For(NeoX(), Options(), 1, 16, MemoryPrecision.Float32, NoRuntime);
        Assert.AreEqual(33664, e.Parameters);
        Assert.AreEqual(33664, e.TrainableParameters);
        Assert.AreEqual(33664L * 4, e.WeightsBytes);
        Assert.AreEqual(33664L * 4, e.GradientsBytes);
        Assert.AreEqual(33664L * 8, e.OptimizerStateBytes);
        Assert.AreEqual(0, e.MasterWeightsBytes);
        Assert.AreEqual(0, e.ReferenceBytes);
    }

    [TestMethod]
    public void LoraTrainsOnlyTheAdaptersAndABFloat16BaseHalvesTheFrozenWeights()
    {
        // r = 4 on query_key_value (32 → 96): 4·(32 + 96) = 512 per layer, 1024 in all.
        var lora = new LoraOptions { Rank = 4, Alpha = 4 };
        var f32 = MemoryEstimate.For(NeoX(), Options(lora), 1, 16, MemoryPrecision.Float32, NoRuntime);
        Assert.AreEqual(33664 + 1024, f32.Parameters);
        Assert.AreEqual(1024, f32.TrainableParameters);
        Assert.AreEqual((33664L + 1024) * 4, f32.WeightsBytes);
        Assert.AreEqual(1024L * 4, f32.GradientsBytes);
        Assert.AreEqual(1024L * 8, f32.OptimizerStateBytes);

        var bf16 = MemoryEstimate.For(NeoX(), Options(lora), 1, 16, MemoryPrecision.BFloat16, NoRuntime);
        Assert.AreEqual(33664L * 2 + 1024 * 4, bf16.WeightsBytes, "frozen base in bfloat16, adapters in float32");
        Assert.AreEqual(0, bf16.MasterWeightsBytes, "float32 adapters need no master copy");
        Assert.AreEqual(1024L * 8, bf16.OptimizerStateBytes);

        // Full fine-tuning in bfloat16: a bfloat16 working copy, a float32 master, bfloat16 gradients, float32 moments.
        var full = MemoryEstimate.For(NeoX(), Options(), 1, 16, MemoryPrecision.BFloat16, NoRuntime);
        Assert.AreEqual(33664L * 2, full.WeightsBytes);
        Assert.AreEqual(33664L * 4, full.MasterWeightsBytes);
        Assert.AreEqual(33664L * 2, full.GradientsBytes);
        Assert.AreEqual(33664L * 8, full.OptimizerStateBytes);
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("neox-sequential")]
    [DataRow("neox-tied")]
    [DataRow("llama")]
    [DataRow("llama-tied")]
    [DataRow("qwen2")]
    [DataRow("opt")]
    [DataRow("opt-post")]
    [DataRow("opt-proj")]
    [DataRow("opt-350m")]
    [DataRow("opt-bare")]
    public void ParameterCountsMatchTheBuiltModel(string variant)
    {
        var config = TinyModels.ByName(variant);
        using var model = CausalLm.Create(config);
        long built = model.parameters().Sum(p => p.numel());
        Assert.AreEqual(built, MemoryEstimate.For(config, Options(), 1, 8, MemoryPrecision.Float32, NoRuntime).Parameters);

        var lora = new LoraOptions { Rank = 2, Alpha = 2, TargetModules = [LoraOptions.AllLinear] };
        model.ApplyLora(lora);
        var e = MemoryEstimate.For(config, Options(lora), 1, 8, MemoryPrecision.Float32, NoRuntime);
        Assert.AreEqual(model.parameters().Sum(p => p.numel()), e.Parameters);
        Assert.AreEqual(model.TrainableParameters().Sum(p => p.numel()), e.TrainableParameters);
    }

    [TestMethod]
    public void SavedActivationsPerTokenOfAGptNeoXLayerFollowTheForwardCode()
    {
        // h = 32, MLP 128, 4 heads of 8, float32 (4 bytes):
        //   LayerNorm input 32·4 + mean and rstd 2·4                       = 136
        //   query_key_value input (its weight trains)                      = 128
        //   fused q|k|v (kept by the value view) 96·4, rotated q and k 64·4,
        //   SDPA output 32·4, log-sum-exp 4 heads · 4                      = 784
        //   dense input                                                    = 128
        //   second LayerNorm: same input (parallel residual), statistics   =   8
        //   dense_h_to_4h input                                            = 128
        //   GELU input 128·4                                               = 512
        //   dense_4h_to_h input (GELU output)                              = 512   → 2336
        var full = new MemoryModel(ModelLayout.Of(NeoX()), null, MemoryPrecision.Float32);
        Assert.AreEqual((2336L, true), full.LayerSaved(1, inputRequiresGrad: true));

        // LoRA r = 4 on query_key_value: frozen linears keep their weight, not their input; the adapter keeps its
        // input and its rank-4 intermediate (16 bytes). 136 + (128 + 16) + 784 + 8 + 512 = 1584.
        var lora = new MemoryModel(ModelLayout.Of(NeoX()), new LoraOptions { Rank = 4, Alpha = 4 }, MemoryPrecision.Float32);
        Assert.AreEqual((1584L, true), lora.LayerSaved(1, inputRequiresGrad: true));
        // The first layer reads the frozen embedding: its norms save nothing, nor does the MLP branch, which
        // has no trainable weight: the adapter's input and intermediate and the attention remain. 144 + 784 = 928.
        Assert.AreEqual((928L, true), lora.LayerSaved(0, inputRequiresGrad: false));

        // bfloat16 activations: halved, except the statistics and log-sum-exp (float32) and the adapter's float32 input copy.
        var bf16 = new MemoryModel(ModelLayout.Of(NeoX()), new LoraOptions { Rank = 4, Alpha = 4 }, MemoryPrecision.BFloat16);
        // (64 + 8) + (128 + 16) + ((96 + 64 + 32)·2 + 16) + 8 + 256 = 72 + 144 + 400 + 8 + 256 = 880
        Assert.AreEqual((880L, true), bf16.LayerSaved(1, inputRequiresGrad: true));
    }

    [TestMethod]
    public void SavedActivationsPerTokenOfALlamaLayerFollowTheForwardCode()
    {
        // Llama, h = 32, 4 query heads of 8 (2 key/value heads, repeated to 4 before SDPA), SwiGLU 40, float32:
        //   RMSNorm input 128 + statistic 4 + normalised value (its weight trains) 128      = 260
        //   q/k/v input                                                                        = 128
        //   rotated q, repeated k and v 3·128, SDPA output 128, log-sum-exp 16                = 528
        //   o_proj input                                                                       = 128
        //   second RMSNorm                                                                     = 260
        //   gate/up input                                                                      = 128
        //   SiLU input, SiLU output, up projection 3·160                                       = 480
        //   down_proj input 160                                                                = 160  → 2072
        var full = new MemoryModel(ModelLayout.Of(TinyModels.Llama()), null, MemoryPrecision.Float32);
        Assert.AreEqual((2072L, true), full.LayerSaved(0, inputRequiresGrad: true));
    }

    [TestMethod]
    public void ADpoBatchOfBPairsCostsWhatAnSftBatchOf2BRowsDoes()
    {
        var options = Options();
        var dpo = MemoryEstimate.For(NeoX(), options, 3, 64, MemoryPrecision.Float32, NoRuntime with { Objective = ObjectiveKind.Dpo });
        var sft = MemoryEstimate.For(NeoX(), options, 6, 64, MemoryPrecision.Float32, NoRuntime with { Objective = ObjectiveKind.Sft });
        Assert.AreEqual(sft.StepPeakBytes, dpo.StepPeakBytes);
        // ALRIGHT uses both objectives; the DPO step (twice the sequences) sets the peak.
        var both = MemoryEstimate.For(NeoX(), options, 3, 64, MemoryPrecision.Float32, NoRuntime);
        Assert.AreEqual(ObjectiveKind.Dpo, both.Objective);
        Assert.AreEqual(dpo.TotalBytes, both.TotalBytes);
    }

    [TestMethod]
    public void TheEstimateGrowsWithBatchAndLengthAndShrinksWithLoraCheckpointingAndBFloat16()
    {
        var config = CausalLmConfig.CreateLlama(vocabSize: 512, hiddenSize: 64, numLayers: 4, numHeads: 4, intermediateSize: 176);
        long Total(JointTrainerOptions o, int b, int t, MemoryPrecision p = MemoryPrecision.Float32) => MemoryEstimate.For(config, o, b, t, p, NoRuntime).TotalBytes;
        var full = Options();
        for (int b = 1; b < 8; b++) Assert.IsTrue(Total(full, b + 1, 128) > Total(full, b, 128), $"batch {b}");
        foreach (int t in new[] { 16, 64, 256 }) Assert.IsTrue(Total(full, 2, 2 * t) > Total(full, 2, t), $"length {t}");
        var lora = new LoraOptions { Rank = 8, Alpha = 8 };
        Assert.IsTrue(Total(Options(lora), 2, 256) < Total(full, 2, 256));
        Assert.IsTrue(Total(Options(lora, checkpointing: true), 2, 256) < Total(Options(lora), 2, 256));
        Assert.IsTrue(Total(Options(checkpointing: true), 2, 256) < Total(full, 2, 256));
        Assert.IsTrue(Total(Options(lora), 2, 256, MemoryPrecision.BFloat16) < Total(Options(lora), 2, 256));
        // Gradient accumulation keeps the earlier micro-batches' gradients through the backward pass.
        Assert.IsTrue(Total(Options(accumulation: 2), 2, 64) > Total(full, 2, 64));
    }

    [TestMethod]
    public void AFrozenHeadKeepsOneChunkOfLogitsATrainingHeadAllOfThem()
    {
        // A vocabulary of 2²⁰ words: a chunk is 2²³ / 2²⁰ = 8 rows, fewer than the 32 scored tokens.
        var config = CausalLmConfig.CreateGptNeoX(vocabSize: 1 << 20, hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 128);
        var settings = NoRuntime with { Objective = ObjectiveKind.Sft, ResponseTokens = 32 };
        var full = MemoryEstimate.For(config, Options(), 1, 64, MemoryPrecision.Float32, settings);
        var lora = MemoryEstimate.For(config, Options(new LoraOptions { Rank = 4, Alpha = 4 }), 1, 64, MemoryPrecision.Float32, settings);
        // Trained head: the float32 logits of every scored token and three temporaries of their size.
        Assert.AreEqual(4L * 4 * (1 << 20) * 32, full.LogitsBytes);
        // Frozen head: one chunk of 8 rows, its logits and two temporaries.
        Assert.AreEqual(3L * 4 * (1 << 20) * 8, lora.LogitsBytes);
    }

    [TestMethod]
    public void CheckpointingKeepsOneHiddenStatePerLayerAndToken()
    {
        // The step peaks while the top layer back-propagates. Without checkpointing both layers hold their 2336 bytes
        // per token then; with it, each holds its float32 input (32 values, 128 bytes) and the top layer's 2336
        // bytes are back, recomputed. Everything else (batch tensors, gradient temporaries, gradients) is the same.
        var plain = MemoryEstimate.For(NeoX(), Options(), 1, 1024, MemoryPrecision.Float32, NoRuntime with { Objective = ObjectiveKind.Sft, ResponseTokens = 1 });
        var ckpt = MemoryEstimate.For(NeoX(), Options(checkpointing: true), 1, 1024, MemoryPrecision.Float32, NoRuntime with { Objective = ObjectiveKind.Sft, ResponseTokens = 1 });
        long layersPlain = 2 * 2336L * 1024, layersCheckpointed = (2 * 128L + 2336) * 1024;
        Assert.AreEqual(layersPlain - layersCheckpointed, plain.ActivationsBytes - ckpt.ActivationsBytes);
    }

    [TestMethod]
    public void TheLargestBatchThatFitsAgreesWithFits()
    {
        var config = CausalLmConfig.CreateLlama(vocabSize: 512, hiddenSize: 64, numLayers: 4, numHeads: 4, intermediateSize: 176);
        var estimate = MemoryEstimate.For(config, Options(), 1, 256);
        foreach (double gib in new[] { 0.45, 0.5, 1.0, 3.0 })
        {
            int b = estimate.LargestBatchThatFits(gib);
            Assert.IsTrue(b >= 1, $"{gib} GiB");
            Assert.IsTrue(MemoryEstimate.For(config, Options(), b, 256).Fits(gib), $"{gib} GiB, batch {b}");
            Assert.IsFalse(MemoryEstimate.For(config, Options(), b + 1, 256).Fits(gib), $"{gib} GiB, batch {b + 1}");
        }
        // Below the runtime overhead nothing fits.
        Assert.AreEqual(0, estimate.LargestBatchThatFits(0.1));
        Assert.IsFalse(estimate.Fits(0.1));
    }

    [TestMethod]
    public void AReferenceModelCopyOrCacheIsCounted()
    {
        var lora = new LoraOptions { Rank = 4, Alpha = 4 };
        var copy = MemoryEstimate.For(NeoX(), Options(lora), 1, 16, MemoryPrecision.BFloat16, NoRuntime with { Reference = ReferenceMemory.FrozenCopy });
        Assert.AreEqual(33664L * 2, copy.ReferenceBytes);
        var cache = MemoryEstimate.For(NeoX(), Options(lora), 1, 16, MemoryPrecision.Float32, NoRuntime with { PreferencePairs = 1000 });
        Assert.AreEqual(1000 * MemoryEstimate.ReferenceCacheBytesPerPair, cache.ReferenceBytes);
        var disabled = MemoryEstimate.For(NeoX(), Options(lora), 1, 16, MemoryPrecision.Float32, NoRuntime with { Reference = ReferenceMemory.PolicyWithoutAdapters });
        Assert.AreEqual(0, disabled.ReferenceBytes);
        var e = Assert.Throws<ArgumentException>(() =>
            MemoryEstimate.For(NeoX(), Options(), 1, 16, MemoryPrecision.Float32, NoRuntime with { Reference = ReferenceMemory.PolicyWithoutAdapters }));
        StringAssert.Contains(e.Message, "PolicyWithoutAdapters");
    }

    [TestMethod]
    public void InvalidArgumentsAreNamed()
    {
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => MemoryEstimate.For(NeoX(), Options(), 0, 16)).Message, "batch size");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => MemoryEstimate.For(NeoX(), Options(), 1, 1)).Message, "sequence length");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() =>
            MemoryEstimate.For(NeoX(), Options(), 1, 16, MemoryPrecision.Float32, new MemoryPlanSettings { ResponseTokens = 16 })).Message, "ResponseTokens");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() =>
            MemoryEstimate.For(NeoX(), Options(new LoraOptions { TargetModules = ["q_proj"] }), 1, 16)).Message, "'q_proj'");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => MemoryEstimate.For(NeoX(), Options(), 1, 16).Fits(0)).Message, "budget");
    }
}
