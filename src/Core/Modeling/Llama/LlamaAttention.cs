using TorchSharp;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling.Llama;

/// <summary>Llama self-attention: <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c> (fewer key/value heads under GQA), then <c>o_proj</c>.</summary>
internal sealed class LlamaAttention : nn.Module
{
    [ComponentName(Name = "q_proj")]
    private readonly AdaptableLinear _q;

    [ComponentName(Name = "k_proj")]
    private readonly AdaptableLinear _k;

    [ComponentName(Name = "v_proj")]
    private readonly AdaptableLinear _v;

    [ComponentName(Name = "o_proj")]
    private readonly AdaptableLinear _o;

    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly double _dropout;

    public LlamaAttention(CausalLmConfig config, ParameterFactory factory) : base(nameof(LlamaAttention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _dropout = config.AttentionDropout;
        _q = new AdaptableLinear(config.HiddenSize, (long)_heads * _headDim, config.QkvBias, factory);
        _k = new AdaptableLinear(config.HiddenSize, (long)_kvHeads * _headDim, config.QkvBias, factory);
        _v = new AdaptableLinear(config.HiddenSize, (long)_kvHeads * _headDim, config.QkvBias, factory);
        _o = new AdaptableLinear((long)_heads * _headDim, config.HiddenSize, config.OutputBias, factory);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], length = x.shape[1];
        var q = _q.Forward(x).view(batch, length, _heads, _headDim).transpose(1, 2);
        var k = _k.Forward(x).view(batch, length, _kvHeads, _headDim).transpose(1, 2);
        var v = _v.Forward(x).view(batch, length, _kvHeads, _headDim).transpose(1, 2);
        var attended = AttentionCore.Attend(q, k, v, layerIndex, ctx, training ? _dropout : 0.0);
        return _o.Forward(attended).MoveToOuterDisposeScope();
    }
}
