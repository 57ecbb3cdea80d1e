using TorchSharp;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling.GptNeoX;

/// <summary>
/// GPT-NeoX (Pythia) with its language-model head. Parameter names are Hugging Face's:
/// <c>gpt_neox.embed_in.weight</c>, <c>gpt_neox.layers.N.attention.query_key_value.weight</c>, …,
/// <c>gpt_neox.final_layer_norm.weight</c>, <c>embed_out.weight</c>. Build one with
/// <see cref="CausalLm.Create"/> or <see cref="CausalLm.FromPretrained"/>.
/// </summary>
public sealed class GptNeoXForCausalLM : CausalLm
{
    [ComponentName(Name = "gpt_neox")]
    private readonly GptNeoXModel _trunk;

    [ComponentName(Name = "embed_out")]
    private readonly AdaptableLinear? _head;

    internal GptNeoXForCausalLM(CausalLmConfig config, ParameterFactory factory) : base(config, nameof(GptNeoXForCausalLM))
    {
        _trunk = new GptNeoXModel(config, factory);
        _head = config.TieWordEmbeddings ? null : new AdaptableLinear(config.HiddenSize, config.VocabSize, hasBias: false, factory);
        RegisterComponents();
    }

    private protected override string OutputHeadName => "embed_out";

    private protected override TokenEmbedding Embedding => _trunk.Embedding;

    private protected override AdaptableLinear? OutputHead => _head;

    private protected override Tensor RunTrunk(Tensor inputIds, ForwardContext ctx) => _trunk.Forward(inputIds, ctx);
}
