using TorchSharp;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling.Llama;

/// <summary>
/// Llama, and the models shaped like it (Qwen2, Mistral), with its language-model head. Parameter
/// names are Hugging Face's: <c>model.embed_tokens.weight</c>, <c>model.layers.N.self_attn.q_proj.weight</c>,
/// …, <c>model.norm.weight</c>, <c>lm_head.weight</c> (absent with tied embeddings). Build one with
/// <see cref="CausalLm.Create"/> or <see cref="CausalLm.FromPretrained"/>.
/// </summary>
public sealed class LlamaForCausalLM : CausalLm
{
    [ComponentName(Name = "model")]
    private readonly LlamaModel _trunk;

    [ComponentName(Name = "lm_head")]
    private readonly AdaptableLinear? _head;

    internal LlamaForCausalLM(CausalLmConfig config, ParameterFactory factory) : base(config, nameof(LlamaForCausalLM))
    {
        _trunk = new LlamaModel(config, factory);
        _head = config.TieWordEmbeddings ? null : new AdaptableLinear(config.HiddenSize, config.VocabSize, hasBias: false, factory);
        RegisterComponents();
    }

    private protected override string OutputHeadName => "lm_head";

    private protected override TokenEmbedding Embedding => _trunk.Embedding;

    private protected override AdaptableLinear? OutputHead => _head;

    private protected override Tensor RunTrunk(Tensor inputIds, ForwardContext ctx) => _trunk.Forward(inputIds, ctx);
}
