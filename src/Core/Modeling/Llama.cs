using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using XRight.IO;
using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling;

// Llama, and the models shaped like it (Qwen2, Mistral), as Hugging Face's modeling_llama.py computes it:
//
//   h = embed_tokens(ids)
//   each layer:  h = h + o_proj(attention(q_proj, k_proj, v_proj of input_layernorm(h)))   rotary on the whole head
//                h = h + down_proj(silu(gate_proj(x)) ⊙ up_proj(x)),  x = post_attention_layernorm(h)
//   logits = lm_head(norm(h))
//
// RMSNorm, SwiGLU MLP, grouped-query attention (fewer key/value heads than query heads), no biases by
// default. The variants differ only in config.json: Qwen2 always has biases on q, k, v; Mistral declares
// a sliding window. Field names are Hugging Face's, so model.layers.0.self_attn.q_proj.weight in a
// checkpoint is that parameter here.

/// <summary>The <c>config.json</c> of Llama-shaped models: <c>model_type</c> <c>llama</c>, <c>qwen2</c> or <c>mistral</c>.</summary>
internal sealed class LlamaArchitecture : IArchitecture
{
    public CausalLmArchitecture Kind => CausalLmArchitecture.Llama;

    public IReadOnlyList<string> ModelTypes { get; } = ["llama", "qwen2", "mistral"];

    public IReadOnlyList<string> DefaultLoraTargets { get; } = ["q_proj", "v_proj"];

    public ArchitectureSettings ReadConfig(JsonFile config, string modelType)
    {
        // Qwen2 always has biases on q, k, v and none on o; Llama's attention_bias covers all four.
        bool qwen2 = modelType == "qwen2";
        bool attentionBias = config.Bool("attention_bias", false);
        return new ArchitectureSettings
        {
            DefaultActivation = "silu",
            NormEpsilon = config.PositiveDouble("rms_norm_eps", 1e-6),
            QkvBias = qwen2 || attentionBias,
            OutputBias = !qwen2 && attentionBias,
            MlpBias = config.Bool("mlp_bias", false),
            NumKeyValueHeads = config.OptionalInt("num_key_value_heads"),
            HeadDim = config.OptionalInt("head_dim"),
            SlidingWindow = ReadSlidingWindow(config, modelType),
        };
    }

    public CausalLm Build(CausalLmConfig config, ParameterFactory factory) => new LlamaForCausalLM(config, factory);

    /// <summary>A Llama (or Qwen2) <c>config.json</c> with every key transformers needs (see <see cref="CausalLmConfig.CreateLlama"/>).</summary>
    public static JsonObject Template(int vocabSize, int hiddenSize, int numLayers, int numHeads, int? numKeyValueHeads, int? intermediateSize,
        bool tieWordEmbeddings, bool qwen2, int maxPositionEmbeddings, double ropeTheta, int bosTokenId, int eosTokenId)
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["model_type"] = qwen2 ? "qwen2" : "llama",
            ["vocab_size"] = vocabSize,
            ["hidden_size"] = hiddenSize,
            ["intermediate_size"] = intermediateSize ?? 2 * hiddenSize + hiddenSize / 2,
            ["num_hidden_layers"] = numLayers,
            ["num_attention_heads"] = numHeads,
            ["num_key_value_heads"] = numKeyValueHeads ?? numHeads,
            ["max_position_embeddings"] = maxPositionEmbeddings,
            ["rms_norm_eps"] = 1e-6,
            ["rope_theta"] = ropeTheta,
            ["rope_scaling"] = null,
            ["hidden_act"] = "silu",
            ["attention_dropout"] = 0.0,
            ["initializer_range"] = 0.02,
            ["tie_word_embeddings"] = tieWordEmbeddings,
            ["use_cache"] = true,
            ["bos_token_id"] = bosTokenId,
            ["eos_token_id"] = eosTokenId,
            ["torch_dtype"] = "float32",
        };
        if (qwen2) json["use_sliding_window"] = false;
        else { json["attention_bias"] = false; json["mlp_bias"] = false; }
        return json;
    }

    private static int? ReadSlidingWindow(JsonFile config, string modelType) => modelType switch
    {
        // MistralConfig defaults to a 4096 window; an explicit null turns it off.
        "mistral" => config.Json.ContainsKey("sliding_window") ? config.OptionalInt("sliding_window") : 4096,
        "qwen2" when config.Bool("use_sliding_window", false) => config.OptionalInt("sliding_window")
            ?? throw config.Missing("sliding_window", "an integer, since use_sliding_window is true"),
        _ => null,
    };
}

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

/// <summary>SwiGLU MLP: <c>down_proj</c>(act(<c>gate_proj</c>(x)) ⊙ <c>up_proj</c>(x)).</summary>
internal sealed class LlamaMlp : nn.Module
{
    [ComponentName(Name = "gate_proj")]
    private readonly AdaptableLinear _gate;

    [ComponentName(Name = "up_proj")]
    private readonly AdaptableLinear _up;

    [ComponentName(Name = "down_proj")]
    private readonly AdaptableLinear _down;

    private readonly Func<Tensor, Tensor> _activation;

    public LlamaMlp(CausalLmConfig config, ParameterFactory factory) : base(nameof(LlamaMlp))
    {
        _gate = new AdaptableLinear(config.HiddenSize, config.IntermediateSize, config.MlpBias, factory);
        _up = new AdaptableLinear(config.HiddenSize, config.IntermediateSize, config.MlpBias, factory);
        _down = new AdaptableLinear(config.IntermediateSize, config.HiddenSize, config.MlpBias, factory);
        _activation = Activations.Get(config.HiddenAct);
        RegisterComponents();
    }

    /// <summary><paramref name="outputUnread"/>: only the output's gradient matters (see <see cref="AdaptableLinear.Forward"/>).</summary>
    public Tensor Forward(Tensor x, bool outputUnread)
    {
        using var scope = NewDisposeScope();
        return _down.Forward(_activation(_gate.Forward(x)) * _up.Forward(x), outputUnread).MoveToOuterDisposeScope();
    }
}

/// <summary>One pre-norm Llama layer: h = x + attn(norm₁(x)); h + mlp(norm₂(h)).</summary>
internal sealed class LlamaDecoderLayer : DecoderLayer
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

    public override Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex)
    {
        using var scope = NewDisposeScope();
        var h = x + _attention.Forward(_inputNorm.Forward(x), ctx, layerIndex);
        // A recomputation never reads the output, so the MLP's value is not needed; the attention's feeds the MLP's norm.
        return (h + _mlp.Forward(_postAttentionNorm.Forward(h), outputUnread: ctx.Recomputing)).MoveToOuterDisposeScope();
    }
}

/// <summary>The Llama trunk (<c>model</c>): <c>embed_tokens</c>, the layers, the final <c>norm</c>.</summary>
internal sealed class LlamaModel : DecoderTrunk
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

    public override TokenEmbedding Embedding => _embedTokens;

    public override Tensor Forward(Tensor inputIds, ForwardContext ctx)
    {
        using var scope = NewDisposeScope();
        var h = RunLayers(_embedTokens.Forward(inputIds), _layers, ctx);
        return _norm.Forward(h).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Llama, and the models shaped like it (Qwen2, Mistral), with its language-model head. Parameter
/// names are Hugging Face's: <c>model.embed_tokens.weight</c>, <c>model.layers.N.self_attn.q_proj.weight</c>,
/// …, <c>model.norm.weight</c>, <c>lm_head.weight</c> (absent with tied embeddings). Build one with
/// <see cref="CausalLm.Create"/> or <see cref="CausalLm.FromPretrained"/>.
/// </summary>
public sealed class LlamaForCausalLM : CausalLm
{
    internal LlamaForCausalLM(CausalLmConfig config, ParameterFactory factory)
        : base(config, nameof(LlamaForCausalLM), "model", new LlamaModel(config, factory), "lm_head", factory)
    {
    }
}
