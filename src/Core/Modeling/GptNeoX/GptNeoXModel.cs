using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling.GptNeoX;

/// <summary>The GPT-NeoX trunk (<c>gpt_neox</c>): <c>embed_in</c>, the layers, <c>final_layer_norm</c>.</summary>
internal sealed class GptNeoXModel : nn.Module
{
    [ComponentName(Name = "embed_in")]
    private readonly TokenEmbedding _embedIn;

    [ComponentName(Name = "layers")]
    private readonly ModuleList<GptNeoXLayer> _layers;

    [ComponentName(Name = "final_layer_norm")]
    private readonly LayerNormalization _finalNorm;

    private readonly double _hiddenDropout;

    public GptNeoXModel(CausalLmConfig config, ParameterFactory factory) : base(nameof(GptNeoXModel))
    {
        _embedIn = new TokenEmbedding(config.VocabSize, config.HiddenSize, factory);
        _layers = new ModuleList<GptNeoXLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new GptNeoXLayer(config, factory)).ToArray());
        _finalNorm = new LayerNormalization(config.HiddenSize, config.NormEpsilon, factory);
        _hiddenDropout = config.HiddenDropout;
        RegisterComponents();
    }

    public TokenEmbedding Embedding => _embedIn;

    public Tensor Forward(Tensor inputIds, ForwardContext ctx)
    {
        using var scope = NewDisposeScope();
        var h = _embedIn.Forward(inputIds);
        if (_hiddenDropout > 0 && training) h = F.dropout(h, _hiddenDropout, true);
        for (int i = 0; i < _layers.Count; i++)
        {
            var next = _layers[i].Forward(h, ctx, i);
            h.Dispose(); // autograd keeps what backward needs; the handle only holds memory during inference
            h = next;
        }
        return _finalNorm.Forward(h).MoveToOuterDisposeScope();
    }
}
