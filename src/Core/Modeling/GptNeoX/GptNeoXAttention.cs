using TorchSharp;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling.GptNeoX;

/// <summary>GPT-NeoX self-attention: one fused <c>query_key_value</c> projection laid out per head as [q | k | v], then <c>dense</c>.</summary>
internal sealed class GptNeoXAttention : nn.Module
{
    [ComponentName(Name = "query_key_value")]
    private readonly AdaptableLinear _queryKeyValue;

    [ComponentName(Name = "dense")]
    private readonly AdaptableLinear _dense;

    private readonly int _heads;
    private readonly int _headDim;
    private readonly double _dropout;

    public GptNeoXAttention(CausalLmConfig config, ParameterFactory factory) : base(nameof(GptNeoXAttention))
    {
        _heads = config.NumAttentionHeads;
        _headDim = config.HeadDim;
        _dropout = config.AttentionDropout;
        _queryKeyValue = new AdaptableLinear(config.HiddenSize, 3L * _heads * _headDim, config.QkvBias, factory);
        _dense = new AdaptableLinear((long)_heads * _headDim, config.HiddenSize, config.OutputBias, factory);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], length = x.shape[1];
        var qkv = _queryKeyValue.Forward(x).view(batch, length, _heads, 3 * _headDim).transpose(1, 2);
        var q = qkv.narrow(-1, 0, _headDim);
        var k = qkv.narrow(-1, _headDim, _headDim);
        var v = qkv.narrow(-1, 2 * _headDim, _headDim);
        var attended = AttentionCore.Attend(q, k, v, layerIndex, ctx, training ? _dropout : 0.0);
        return _dense.Forward(attended).MoveToOuterDisposeScope();
    }
}
