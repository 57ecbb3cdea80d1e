using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using XRight.IO;
using XRight.Modeling.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling;

// GPT-NeoX (Pythia), as Hugging Face's modeling_gpt_neox.py computes it:
//
//   h = embed_in(ids)
//   each layer:  a = dense(attention(query_key_value(ln₁(h))))          rotary on the first rotary_pct of each head
//                parallel residual (Pythia):  h = h + a + mlp(ln₂(h))
//                sequential:                  h = h + a;  h = h + mlp(ln₂(h))
//   logits = embed_out(final_layer_norm(h))
//
// LayerNorm with biases, GELU MLP, biases on every projection. Field names are Hugging Face's, so
// gpt_neox.layers.0.attention.query_key_value.weight in a checkpoint is that parameter here.

/// <summary>GPT-NeoX's <c>config.json</c>: <c>model_type</c> <c>gpt_neox</c>, and the keys only it has.</summary>
internal sealed class GptNeoXArchitecture : IArchitecture
{
    public CausalLmArchitecture Kind => CausalLmArchitecture.GptNeoX;

    public IReadOnlyList<string> ModelTypes { get; } = ["gpt_neox"];

    public IReadOnlyList<string> DefaultLoraTargets { get; } = ["query_key_value"];

    public ArchitectureSettings ReadConfig(JsonFile config, string modelType)
    {
        bool attentionBias = config.Bool("attention_bias", true);
        return new ArchitectureSettings
        {
            DefaultActivation = "gelu",
            NormEpsilon = config.PositiveDouble("layer_norm_eps", 1e-5),
            QkvBias = attentionBias,
            OutputBias = attentionBias,
            MlpBias = true,
            // No grouped-query attention and no head_dim key: num_key_value_heads and head_dim are not read.
            HiddenDropout = config.Probability("hidden_dropout", 0.0),
            UseParallelResidual = config.Bool("use_parallel_residual", true),
            // Files from before rope_theta / partial_rotary_factor name these rotary_emb_base / rotary_pct.
            LegacyRopeTheta = config.OptionalDouble("rotary_emb_base"),
            DefaultRotaryFraction = config.OptionalDouble("rotary_pct") ?? 0.25,
        };
    }

    public CausalLm Build(CausalLmConfig config, ParameterFactory factory) => new GptNeoXForCausalLM(config, factory);

    /// <summary>A Pythia-style <c>config.json</c> with every key transformers needs (see <see cref="CausalLmConfig.CreateGptNeoX"/>).</summary>
    public static JsonObject Template(int vocabSize, int hiddenSize, int numLayers, int numHeads, int? intermediateSize, double rotaryPct,
        bool useParallelResidual, bool tieWordEmbeddings, int maxPositionEmbeddings, int bosTokenId, int eosTokenId) => new()
    {
        ["architectures"] = new JsonArray("GPTNeoXForCausalLM"),
        ["model_type"] = "gpt_neox",
        ["vocab_size"] = vocabSize,
        ["hidden_size"] = hiddenSize,
        ["intermediate_size"] = intermediateSize ?? 4 * hiddenSize,
        ["num_hidden_layers"] = numLayers,
        ["num_attention_heads"] = numHeads,
        ["rotary_pct"] = rotaryPct,
        ["rotary_emb_base"] = 10000,
        ["max_position_embeddings"] = maxPositionEmbeddings,
        ["layer_norm_eps"] = 1e-5,
        ["hidden_act"] = "gelu",
        ["use_parallel_residual"] = useParallelResidual,
        ["attention_bias"] = true,
        ["attention_dropout"] = 0.0,
        ["hidden_dropout"] = 0.0,
        ["initializer_range"] = 0.02,
        ["tie_word_embeddings"] = tieWordEmbeddings,
        ["use_cache"] = true,
        ["bos_token_id"] = bosTokenId,
        ["eos_token_id"] = eosTokenId,
        ["torch_dtype"] = "float32",
    };
}

/// <summary>
/// GPT-NeoX self-attention: one fused <c>query_key_value</c> projection, then <c>dense</c>. The fused
/// output is laid out per head as [q | k | v] (not all queries, then all keys), so it is split after
/// the view into heads.
/// </summary>
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

    /// <summary><paramref name="outputUnread"/>: only the output's gradient matters (see <see cref="AdaptableLinear.Forward"/>).</summary>
    public Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex, bool outputUnread)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], length = x.shape[1];
        var qkv = _queryKeyValue.Forward(x).view(batch, length, _heads, 3 * _headDim).transpose(1, 2);
        // split, not narrow: one concatenation in the backward pass instead of three zero-filled full-width gradients.
        var qkvParts = qkv.split(_headDim, -1);
        var (q, k, v) = (qkvParts[0], qkvParts[1], qkvParts[2]);
        var attended = AttentionCore.Attend(q, k, v, layerIndex, ctx, training ? _dropout : 0.0);
        return _dense.Forward(attended, outputUnread).MoveToOuterDisposeScope();
    }
}

/// <summary>GPT-NeoX MLP: <c>dense_4h_to_h</c>(act(<c>dense_h_to_4h</c>(x))).</summary>
internal sealed class GptNeoXMlp : nn.Module
{
    [ComponentName(Name = "dense_h_to_4h")]
    private readonly AdaptableLinear _up;

    [ComponentName(Name = "dense_4h_to_h")]
    private readonly AdaptableLinear _down;

    private readonly Func<Tensor, Tensor> _activation;

    public GptNeoXMlp(CausalLmConfig config, ParameterFactory factory) : base(nameof(GptNeoXMlp))
    {
        _up = new AdaptableLinear(config.HiddenSize, config.IntermediateSize, config.MlpBias, factory);
        _down = new AdaptableLinear(config.IntermediateSize, config.HiddenSize, config.MlpBias, factory);
        _activation = Activations.Get(config.HiddenAct);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, bool outputUnread)
    {
        using var scope = NewDisposeScope();
        return _down.Forward(_activation(_up.Forward(x)), outputUnread).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// One GPT-NeoX layer. Parallel residual: x + attn(ln₁(x)) + mlp(ln₂(x)); sequential:
/// h = x + attn(ln₁(x)), then h + mlp(ln₂(h)).
/// </summary>
internal sealed class GptNeoXLayer : DecoderLayer
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

    public override Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex)
    {
        using var scope = NewDisposeScope();
        // A recomputation never reads the output; with the parallel residual neither branch's value feeds
        // anything else, sequentially the attention's feeds the MLP's norm.
        bool unread = ctx.Recomputing;
        var attended = Dropout(_attention.Forward(_inputNorm.Forward(x), ctx, layerIndex, outputUnread: unread && _parallelResidual));
        Tensor output;
        if (_parallelResidual)
        {
            output = x + attended + Dropout(_mlp.Forward(_postAttentionNorm.Forward(x), unread));
        }
        else
        {
            var h = x + attended;
            output = h + Dropout(_mlp.Forward(_postAttentionNorm.Forward(h), unread));
        }
        return output.MoveToOuterDisposeScope();
    }

    private Tensor Dropout(Tensor x) => _hiddenDropout > 0 && training ? F.dropout(x, _hiddenDropout, true) : x;
}

/// <summary>The GPT-NeoX trunk (<c>gpt_neox</c>): <c>embed_in</c>, the layers, <c>final_layer_norm</c>.</summary>
internal sealed class GptNeoXModel : DecoderTrunk
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

    public override TokenEmbedding Embedding => _embedIn;

    public override Tensor Forward(Tensor inputIds, ForwardContext ctx)
    {
        using var scope = NewDisposeScope();
        var h = _embedIn.Forward(inputIds);
        if (_hiddenDropout > 0 && training) h = F.dropout(h, _hiddenDropout, true);
        h = RunLayers(h, _layers, ctx);
        return _finalNorm.Forward(h).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// GPT-NeoX (Pythia) with its language-model head. Parameter names are Hugging Face's:
/// <c>gpt_neox.embed_in.weight</c>, <c>gpt_neox.layers.N.attention.query_key_value.weight</c>, …,
/// <c>gpt_neox.final_layer_norm.weight</c>, <c>embed_out.weight</c>. Build one with
/// <see cref="CausalLm.Create"/> or <see cref="CausalLm.FromPretrained"/>.
/// </summary>
public sealed class GptNeoXForCausalLM : CausalLm
{
    internal GptNeoXForCausalLM(CausalLmConfig config, ParameterFactory factory)
        : base(config, nameof(GptNeoXForCausalLM), "gpt_neox", new GptNeoXModel(config, factory), "embed_out", factory)
    {
    }
}
