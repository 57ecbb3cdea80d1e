using TorchSharp;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling.Llama;

/// <summary>One pre-norm Llama layer: h = x + attn(norm₁(x)); h + mlp(norm₂(h)).</summary>
internal sealed class LlamaDecoderLayer : nn.Module
{
    [ComponentName(Name = "input_layernorm")]
    private readonly RmsNorm _inputNorm;

    [ComponentName(Name = "self_attn")]
    private readonly LlamaAttention _attention;

    [ComponentName(Name = "post_attention_layernorm")]
    private readonly RmsNorm _postAttentionNorm;

    [ComponentName(Name = "mlp")]
    private readonly LlamaMlp _mlp;

    public LlamaDecoderLayer(CausalLmConfig config, ParameterFactory factory) : base(nameof(LlamaDecoderLayer))
    {
        _inputNorm = new RmsNorm(config.HiddenSize, config.NormEpsilon, factory);
        _attention = new LlamaAttention(config, factory);
        _postAttentionNorm = new RmsNorm(config.HiddenSize, config.NormEpsilon, factory);
        _mlp = new LlamaMlp(config, factory);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex)
    {
        using var scope = NewDisposeScope();
        var h = x + _attention.Forward(_inputNorm.Forward(x), ctx, layerIndex);
        return (h + _mlp.Forward(_postAttentionNorm.Forward(h))).MoveToOuterDisposeScope();
    }
}
