using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling.Llama;

/// <summary>The Llama trunk (<c>model</c>): <c>embed_tokens</c>, the layers, the final <c>norm</c>.</summary>
internal sealed class LlamaModel : nn.Module
{
    [ComponentName(Name = "embed_tokens")]
    private readonly TokenEmbedding _embedTokens;

    [ComponentName(Name = "layers")]
    private readonly ModuleList<LlamaDecoderLayer> _layers;

    [ComponentName(Name = "norm")]
    private readonly RmsNorm _norm;

    public LlamaModel(CausalLmConfig config, ParameterFactory factory) : base(nameof(LlamaModel))
    {
        _embedTokens = new TokenEmbedding(config.VocabSize, config.HiddenSize, factory);
        _layers = new ModuleList<LlamaDecoderLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new LlamaDecoderLayer(config, factory)).ToArray());
        _norm = new RmsNorm(config.HiddenSize, config.NormEpsilon, factory);
        RegisterComponents();
    }

    public TokenEmbedding Embedding => _embedTokens;

    public Tensor Forward(Tensor inputIds, ForwardContext ctx)
    {
        using var scope = NewDisposeScope();
        var h = _embedTokens.Forward(inputIds);
        for (int i = 0; i < _layers.Count; i++)
        {
            var next = _layers[i].Forward(h, ctx, i);
            h.Dispose(); // autograd keeps what backward needs; the handle only holds memory during inference
            h = next;
        }
        return _norm.Forward(h).MoveToOuterDisposeScope();
    }
}
