using TorchSharp;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling.GptNeoX;

/// <summary>
/// One GPT-NeoX layer. Parallel residual: x + attn(ln₁(x)) + mlp(ln₂(x)); sequential:
/// h = x + attn(ln₁(x)), then h + mlp(ln₂(h)).
/// </summary>
internal sealed class GptNeoXLayer : nn.Module
{
    [ComponentName(Name = "input_layernorm")]
    private readonly LayerNormalization _inputNorm;

    [ComponentName(Name = "post_attention_layernorm")]
    private readonly LayerNormalization _postAttentionNorm;

    [ComponentName(Name = "attention")]
    private readonly GptNeoXAttention _attention;

    [ComponentName(Name = "mlp")]
    private readonly GptNeoXMlp _mlp;

    private readonly bool _parallelResidual;
    private readonly double _hiddenDropout;

    public GptNeoXLayer(CausalLmConfig config, ParameterFactory factory) : base(nameof(GptNeoXLayer))
    {
        _inputNorm = new LayerNormalization(config.HiddenSize, config.NormEpsilon, factory);
        _postAttentionNorm = new LayerNormalization(config.HiddenSize, config.NormEpsilon, factory);
        _attention = new GptNeoXAttention(config, factory);
        _mlp = new GptNeoXMlp(config, factory);
        _parallelResidual = config.UseParallelResidual;
        _hiddenDropout = config.HiddenDropout;
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex)
    {
        using var scope = NewDisposeScope();
        var attended = Dropout(_attention.Forward(_inputNorm.Forward(x), ctx, layerIndex));
        Tensor output;
        if (_parallelResidual)
        {
            output = x + attended + Dropout(_mlp.Forward(_postAttentionNorm.Forward(x)));
        }
        else
        {
            var h = x + attended;
            output = h + Dropout(_mlp.Forward(_postAttentionNorm.Forward(h)));
        }
        return output.MoveToOuterDisposeScope();
    }

    private Tensor Dropout(Tensor x) => _hiddenDropout > 0 && training ? F.dropout(x, _hiddenDropout, true) : x;
}
