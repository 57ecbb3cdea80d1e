using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using XRight.IO;
using XRight.Modeling.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling;

// OPT (facebook/opt-125m … opt-66b), as Hugging Face's modeling_opt.py computes it:
//
//   h = project_in(embed_tokens(ids)) + embed_positions[position + 2]     positions count real tokens only
//   pre-LN layer (do_layer_norm_before):  h = h + out_proj(attention(q_proj, k_proj, v_proj of self_attn_layer_norm(h)))
//                                         h = h + fc2(relu(fc1(final_layer_norm(h))))
//   post-LN layer (opt-350m):             h = self_attn_layer_norm(h + out_proj(attention(… of h)))
//                                         h = final_layer_norm(h + fc2(relu(fc1(h))))
//   logits = lm_head(project_out(final_layer_norm(h)))     the trunk's final_layer_norm only with pre-LN
//
// No rotary embedding: a learned table of max_position_embeddings + 2 rows, read two rows past the
// position (fairseq kept the first rows for padding). LayerNorm everywhere (ε 1e-5), ReLU MLP, biases on
// every projection (enable_bias), lm_head tied to embed_tokens. project_in / project_out exist only when
// word_embed_proj_dim differs from hidden_size (opt-350m). Field names are Hugging Face's, so
// model.decoder.layers.0.self_attn.q_proj.weight in a checkpoint is that parameter here.

/// <summary>OPT's <c>config.json</c>: <c>model_type</c> <c>opt</c>, and the keys only it has.</summary>
internal sealed class OptArchitecture : IArchitecture
{
    /// <summary>Rows of <c>embed_positions</c> before the row of position 0.</summary>
    public const int PositionOffset = 2;

    public CausalLmArchitecture Kind => CausalLmArchitecture.Opt;

    public IReadOnlyList<string> ModelTypes { get; } = ["opt"];

    public IReadOnlyList<string> DefaultLoraTargets { get; } = ["q_proj", "v_proj"];

    public ArchitectureSettings ReadConfig(JsonFile config, string modelType)
    {
        // LayerDrop skips whole layers at random while training; every published OPT has it at 0.
        double layerDrop = config.Double("layerdrop", 0.0);
        if (layerDrop != 0)
            throw new NotSupportedException($"{config.Source}: layerdrop {layerDrop} (skipping layers at random while training) is not supported; only 0 is.");
        int? wordEmbedProjDim = config.OptionalInt("word_embed_proj_dim");
        if (wordEmbedProjDim is { } width) config.RequirePositive("word_embed_proj_dim", width);
        bool enableBias = config.Bool("enable_bias", true);
        bool normBefore = config.Bool("do_layer_norm_before", true);
        return new ArchitectureSettings
        {
            DefaultActivation = "relu",
            ActivationKey = "activation_function",
            IntermediateSizeKey = "ffn_dim",
            InitializerRangeKey = "init_std",
            DefaultTieWordEmbeddings = true,
            NormEpsilon = 1e-5, // nn.LayerNorm's default; OPT has no key for it
            QkvBias = enableBias,
            OutputBias = enableBias,
            MlpBias = enableBias,
            // No grouped-query attention and no head_dim key: num_key_value_heads and head_dim are not read.
            HiddenDropout = config.Probability("dropout", 0.1),
            UsesRotary = false,
            EmbeddingSize = wordEmbedProjDim,
            NormBeforeSublayers = normBefore,
            NormElementwiseAffine = config.Bool("layer_norm_elementwise_affine", true),
            // _remove_final_layer_norm (checkpoints fine-tuned before transformers 4.20.1) drops the trunk's last norm.
            FinalNorm = normBefore && !config.Bool("_remove_final_layer_norm", false),
        };
    }

    public CausalLm Build(CausalLmConfig config, ParameterFactory factory) => new OptForCausalLM(config, factory);

    /// <summary>An OPT <c>config.json</c> with every key transformers needs (see <see cref="CausalLmConfig.CreateOpt"/>).</summary>
    public static JsonObject Template(int vocabSize, int hiddenSize, int numLayers, int numHeads, int? ffnDim, int? wordEmbedProjDim,
        bool doLayerNormBefore, bool tieWordEmbeddings, int maxPositionEmbeddings, double dropout, int bosTokenId, int eosTokenId, int padTokenId) => new()
    {
        ["architectures"] = new JsonArray("OPTForCausalLM"),
        ["model_type"] = "opt",
        ["vocab_size"] = vocabSize,
        ["hidden_size"] = hiddenSize,
        ["word_embed_proj_dim"] = wordEmbedProjDim ?? hiddenSize,
        ["ffn_dim"] = ffnDim ?? 4 * hiddenSize,
        ["num_hidden_layers"] = numLayers,
        ["num_attention_heads"] = numHeads,
        ["max_position_embeddings"] = maxPositionEmbeddings,
        ["do_layer_norm_before"] = doLayerNormBefore,
        ["_remove_final_layer_norm"] = false,
        ["activation_function"] = "relu",
        ["enable_bias"] = true,
        ["layer_norm_elementwise_affine"] = true,
        ["dropout"] = dropout,
        ["attention_dropout"] = 0.0,
        ["activation_dropout"] = 0.0,
        ["layerdrop"] = 0.0,
        ["init_std"] = 0.02,
        ["tie_word_embeddings"] = tieWordEmbeddings,
        ["use_cache"] = true,
        ["bos_token_id"] = bosTokenId,
        ["eos_token_id"] = eosTokenId,
        ["pad_token_id"] = padTokenId,
        ["torch_dtype"] = "float32",
    };
}

/// <summary>
/// OPT self-attention: <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, then <c>out_proj</c>. Hugging Face
/// multiplies the queries by head_dim^−½ before the dot products; SDPA's default scale is the same factor.
/// </summary>
internal sealed class OptAttention : nn.Module
{
    [ComponentName(Name = "k_proj")]
    private readonly AdaptableLinear _k;

    [ComponentName(Name = "v_proj")]
    private readonly AdaptableLinear _v;

    [ComponentName(Name = "q_proj")]
    private readonly AdaptableLinear _q;

    [ComponentName(Name = "out_proj")]
    private readonly AdaptableLinear _out;

    private readonly int _heads;
    private readonly int _headDim;
    private readonly double _dropout;

    public OptAttention(CausalLmConfig config, ParameterFactory factory) : base(nameof(OptAttention))
    {
        _heads = config.NumAttentionHeads;
        _headDim = config.HeadDim;
        _dropout = config.AttentionDropout;
        long width = (long)_heads * _headDim;
        _k = new AdaptableLinear(config.HiddenSize, width, config.QkvBias, factory);
        _v = new AdaptableLinear(config.HiddenSize, width, config.QkvBias, factory);
        _q = new AdaptableLinear(config.HiddenSize, width, config.QkvBias, factory);
        _out = new AdaptableLinear(width, config.HiddenSize, config.OutputBias, factory);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], length = x.shape[1];
        var q = _q.Forward(x).view(batch, length, _heads, _headDim).transpose(1, 2);
        var k = _k.Forward(x).view(batch, length, _heads, _headDim).transpose(1, 2);
        var v = _v.Forward(x).view(batch, length, _heads, _headDim).transpose(1, 2);
        var attended = AttentionCore.Attend(q, k, v, layerIndex, ctx, training ? _dropout : 0.0);
        return _out.Forward(attended).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// One OPT layer: attention, then the <c>fc1</c>/<c>fc2</c> MLP, each in a residual branch with dropout on
/// its output while training. Pre-LN normalises each branch's input (<c>self_attn_layer_norm</c>,
/// <c>final_layer_norm</c>); post-LN normalises each residual sum instead.
/// </summary>
internal sealed class OptDecoderLayer : DecoderLayer
{
    [ComponentName(Name = "self_attn")]
    private readonly OptAttention _attention;

    [ComponentName(Name = "self_attn_layer_norm")]
    private readonly LayerNormalization _attentionNorm;

    [ComponentName(Name = "fc1")]
    private readonly AdaptableLinear _fc1;

    [ComponentName(Name = "fc2")]
    private readonly AdaptableLinear _fc2;

    [ComponentName(Name = "final_layer_norm")]
    private readonly LayerNormalization _mlpNorm;

    private readonly Func<Tensor, Tensor> _activation;
    private readonly bool _normBefore;
    private readonly double _dropout;

    public OptDecoderLayer(CausalLmConfig config, ParameterFactory factory) : base(nameof(OptDecoderLayer))
    {
        _attention = new OptAttention(config, factory);
        _attentionNorm = new LayerNormalization(config.HiddenSize, config.NormEpsilon, factory, config.NormElementwiseAffine);
        _fc1 = new AdaptableLinear(config.HiddenSize, config.IntermediateSize, config.MlpBias, factory);
        _fc2 = new AdaptableLinear(config.IntermediateSize, config.HiddenSize, config.MlpBias, factory);
        _mlpNorm = new LayerNormalization(config.HiddenSize, config.NormEpsilon, factory, config.NormElementwiseAffine);
        _activation = Activations.Get(config.HiddenAct);
        _normBefore = config.DoLayerNormBefore;
        _dropout = config.HiddenDropout;
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex)
    {
        using var scope = NewDisposeScope();
        var h = x + Dropout(_attention.Forward(_normBefore ? _attentionNorm.Forward(x) : x, ctx, layerIndex));
        if (!_normBefore) h = _attentionNorm.Forward(h);
        // A recomputation never reads the output: pre-LN, fc2's value feeds only the residual sum; post-LN, the norm reads it.
        bool unread = ctx.Recomputing && _normBefore;
        var output = h + Dropout(_fc2.Forward(_activation(_fc1.Forward(_normBefore ? _mlpNorm.Forward(h) : h)), unread));
        if (!_normBefore) output = _mlpNorm.Forward(output);
        return output.MoveToOuterDisposeScope();
    }

    private Tensor Dropout(Tensor x) => _dropout > 0 && training ? F.dropout(x, _dropout, true) : x;
}

/// <summary>
/// The OPT decoder (<c>model.decoder</c>): <c>embed_tokens</c>, <c>embed_positions</c>, the optional
/// <c>project_in</c>/<c>project_out</c>, the layers and the optional <c>final_layer_norm</c>.
/// </summary>
internal sealed class OptDecoder : nn.Module
{
    [ComponentName(Name = "embed_tokens")]
    private readonly TokenEmbedding _embedTokens;

    [ComponentName(Name = "embed_positions")]
    private readonly TokenEmbedding _embedPositions;

    [ComponentName(Name = "project_out")]
    private readonly AdaptableLinear? _projectOut;

    [ComponentName(Name = "project_in")]
    private readonly AdaptableLinear? _projectIn;

    [ComponentName(Name = "final_layer_norm")]
    private readonly LayerNormalization? _finalNorm;

    [ComponentName(Name = "layers")]
    private readonly ModuleList<OptDecoderLayer> _layers;

    private readonly int _maxPositions;

    public OptDecoder(CausalLmConfig config, ParameterFactory factory) : base(nameof(OptDecoder))
    {
        _embedTokens = new TokenEmbedding(config.VocabSize, config.EmbeddingSize, factory);
        _embedPositions = new TokenEmbedding(config.MaxPositionEmbeddings + OptArchitecture.PositionOffset, config.HiddenSize, factory);
        if (config.EmbeddingSize != config.HiddenSize)
        {
            _projectOut = new AdaptableLinear(config.HiddenSize, config.EmbeddingSize, hasBias: false, factory);
            _projectIn = new AdaptableLinear(config.EmbeddingSize, config.HiddenSize, hasBias: false, factory);
        }
        if (config.HasFinalNorm) _finalNorm = new LayerNormalization(config.HiddenSize, config.NormEpsilon, factory, config.NormElementwiseAffine);
        _layers = new ModuleList<OptDecoderLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new OptDecoderLayer(config, factory)).ToArray());
        _maxPositions = config.MaxPositionEmbeddings;
        RegisterComponents();
    }

    public TokenEmbedding Embedding => _embedTokens;

    public IList<OptDecoderLayer> Layers => _layers;

    /// <summary>Token plus position embeddings [B, T, hidden] of the new tokens.</summary>
    public Tensor Embed(Tensor inputIds, ForwardContext ctx)
    {
        using var scope = NewDisposeScope();
        RequireLearnedPositions(inputIds, ctx);
        var h = _embedTokens.Forward(inputIds);
        if (_projectIn is not null) h = _projectIn.Forward(h);
        return (h + _embedPositions.Forward(ctx.Positions + OptArchitecture.PositionOffset)).MoveToOuterDisposeScope();
    }

    /// <summary>The final hidden states [B, T, word_embed_proj_dim] from the last layer's output.</summary>
    public Tensor Finish(Tensor h)
    {
        using var scope = NewDisposeScope();
        if (_finalNorm is not null) h = _finalNorm.Forward(h);
        if (_projectOut is not null) h = _projectOut.Forward(h);
        return h.MoveToOuterDisposeScope();
    }

    // The table has a row for each of max_position_embeddings positions. The positions are only read
    // (a device sync) when the sequence is long enough to reach past the table.
    private void RequireLearnedPositions(Tensor inputIds, ForwardContext ctx)
    {
        long total = (ctx.Cache?.Length ?? 0) + inputIds.shape[1];
        if (total <= _maxPositions) return;
        long last = ctx.Positions.max().item<long>();
        if (last >= _maxPositions)
            throw new ArgumentOutOfRangeException(nameof(inputIds), $"OPT learns positions 0 to {_maxPositions - 1} (max_position_embeddings = {_maxPositions}); this input reaches position {last}.");
    }
}

/// <summary>The OPT trunk (<c>model</c>), which holds the <c>decoder</c>.</summary>
internal sealed class OptModel : DecoderTrunk
{
    [ComponentName(Name = "decoder")]
    private readonly OptDecoder _decoder;

    public OptModel(CausalLmConfig config, ParameterFactory factory) : base(nameof(OptModel))
    {
        _decoder = new OptDecoder(config, factory);
        RegisterComponents();
    }

    public override TokenEmbedding Embedding => _decoder.Embedding;

    public override Tensor Forward(Tensor inputIds, ForwardContext ctx)
    {
        using var scope = NewDisposeScope();
        var h = RunLayers(_decoder.Embed(inputIds, ctx), _decoder.Layers, ctx);
        return _decoder.Finish(h).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// OPT with its language-model head. Parameter names are Hugging Face's: <c>model.decoder.embed_tokens.weight</c>,
/// <c>model.decoder.embed_positions.weight</c>, <c>model.decoder.layers.N.self_attn.q_proj.weight</c>, …,
/// <c>model.decoder.final_layer_norm.weight</c>, and <c>lm_head.weight</c> only when the embeddings are not
/// tied (OPT ties them by default). Build one with <see cref="CausalLm.Create"/> or <see cref="CausalLm.FromPretrained"/>.
/// </summary>
public sealed class OptForCausalLM : CausalLm
{
    internal OptForCausalLM(CausalLmConfig config, ParameterFactory factory)
        : base(config, nameof(OptForCausalLM), "model", new OptModel(config, factory), "lm_head", factory)
    {
    }
}
