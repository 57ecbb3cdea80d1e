using XRight.Modeling;
using XRight.Modeling.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class GradientOnlyLinearTests
{
    [TestMethod]
    [DataRow(true, false, false)]
    [DataRow(false, true, false)]
    [DataRow(true, true, false)]
    [DataRow(true, true, true)]
    [DataRow(false, false, true)]
    public void ItReturnsZerosAndTheLinearLayersGradientsBitForBit(bool inputGrad, bool weightGrad, bool biasGrad)
    {
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(3);
        var x = randn([2, 3, 6], generator: generator);
        var weight = randn([4, 6], generator: generator);
        var bias = randn([4], generator: generator);
        var upstream = randn([2, 3, 4], generator: generator);

        (Tensor Output, Tensor?[] Grads) Run(bool gradientOnly)
        {
            var (xi, wi, bi) = (x.clone().requires_grad_(inputGrad), weight.clone().requires_grad_(weightGrad), bias.clone().requires_grad_(biasGrad));
            var y = gradientOnly ? GradientOnlyLinear.Apply(xi, wi, bi) : F.linear(xi, wi, bi);
            y.backward([upstream]);
            return (y.detach(), [xi.grad, wi.grad, bi.grad]);
        }

        var plain = Run(gradientOnly: false);
        var gradientOnly = Run(gradientOnly: true);
        CollectionAssert.AreEqual(new long[] { 2, 3, 4 }, gradientOnly.Output.shape);
        Assert.AreEqual(0.0, gradientOnly.Output.abs().max().item<float>(), "the product is skipped");
        bool[] expected = [inputGrad, weightGrad, biasGrad];
        for (int i = 0; i < 3; i++)
        {
            Assert.AreEqual(expected[i], gradientOnly.Grads[i] is not null, $"gradient {i}");
            if (expected[i]) CollectionAssert.AreEqual(TinyModels.ToDoubles(plain.Grads[i]!), TinyModels.ToDoubles(gradientOnly.Grads[i]!), $"gradient {i}");
        }
    }

    /// <summary>Layer 0 of <paramref name="model"/> run on <paramref name="x"/> as in the forward pass, and as its recomputation.</summary>
    private static (Tensor Plain, Tensor Recomputed) LayerOutputs(CausalLm model, Tensor x)
    {
        var layer = (DecoderLayer)model.named_modules().First(m => m.name.EndsWith("layers.0", StringComparison.Ordinal)).module;
        var ids = zeros([x.shape[0], x.shape[1]], ScalarType.Int64);
        var rotary = model.Config.Rotary is { } settings ? new RotaryEmbedding(settings) : null;
        var ctx = ForwardContext.Create(ids, null, null, rotary, x.dtype, null);
        var plain = layer.Forward(x, ctx, 0);
        var recomputed = layer.Forward(x, ctx.ForRecomputation(ctx.Positions, ctx.Cos, ctx.Sin, ctx.Mask), 0);
        return (plain, recomputed);
    }

    [TestMethod]
    public void ARecomputedParallelResidualLayerSkipsBothOutputProjections()
    {
        using var model = TinyModels.Randomized(TinyModels.NeoX(parallelResidual: true));
        using var scope = NewDisposeScope();
        var x = randn([2, 5, 32]).requires_grad_(true);
        var (plain, recomputed) = LayerOutputs(model, x);
        // x + dense(attention) + dense_4h_to_h(mlp) with both products skipped is x itself.
        CollectionAssert.AreEqual(TinyModels.ToDoubles(x), TinyModels.ToDoubles(recomputed));
        Assert.IsGreaterThan(0.1, TinyModels.MaxAbsDifference(plain, x));
    }

    private static T Module<T>(CausalLm model, string suffix) where T : TorchSharp.torch.nn.Module =>
        (T)model.named_modules().First(m => m.name.EndsWith(suffix, StringComparison.Ordinal)).module;

    /// <summary>The MLP branch of layer 0 on the residual stream <paramref name="h"/>, from the layer's own modules.</summary>
    private static Tensor MlpBranch(CausalLm model, string variant, Tensor h) => variant switch
    {
        "neox-sequential" => Module<GptNeoXMlp>(model, "layers.0.mlp").Forward(Module<LayerNormalization>(model, "layers.0.post_attention_layernorm").Forward(h), false),
        "llama" => Module<LlamaMlp>(model, "layers.0.mlp").Forward(Module<RmsNorm>(model, "layers.0.post_attention_layernorm").Forward(h), false),
        "opt" => Module<AdaptableLinear>(model, "layers.0.fc2").Forward(
            F.relu(Module<AdaptableLinear>(model, "layers.0.fc1").Forward(Module<LayerNormalization>(model, "layers.0.final_layer_norm").Forward(h)))),
        _ => throw new ArgumentException(variant),
    };

    [TestMethod]
    [DataRow("neox-sequential")]
    [DataRow("llama")]
    [DataRow("opt")]
    public void ARecomputedSequentialLayerSkipsOnlyTheMlpOutputProjection(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        using var scope = NewDisposeScope();
        var x = randn([2, 5, 32]).requires_grad_(true);
        var (plain, recomputed) = LayerOutputs(model, x);
        // The recomputation yields h = x + attention branch (the attention's product ran: h ≠ x), and the plain
        // layer is h + the MLP branch computed from that same h, bit for bit.
        Assert.IsGreaterThan(0.1, TinyModels.MaxAbsDifference(x, recomputed), "the attention's output projection runs");
        CollectionAssert.AreEqual(TinyModels.ToDoubles(plain), TinyModels.ToDoubles(recomputed + MlpBranch(model, variant, recomputed)));
    }

    [TestMethod]
    public void APostNormOptLayerIsRecomputedWhole()
    {
        using var model = TinyModels.Randomized(TinyModels.Opt(normBefore: false));
        using var scope = NewDisposeScope();
        var x = randn([2, 5, 32]).requires_grad_(true);
        var (plain, recomputed) = LayerOutputs(model, x);
        // The norm after each residual sum reads fc2's output: nothing may be skipped.
        CollectionAssert.AreEqual(TinyModels.ToDoubles(plain), TinyModels.ToDoubles(recomputed));
    }
}
