using System.Text.Json.Nodes;
using TorchSharp;
using XRight.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

/// <summary>Tiny configurations of every architecture and helpers to inspect their tensors.</summary>
internal static class TinyModels
{
    public const int Vocab = 61;

    /// <summary>GPT-NeoX with partial rotary (8 of 16 head dims), parallel residual.</summary>
    public static CausalLmConfig NeoX(bool parallelResidual = true, bool tied = false) =>
        CausalLmConfig.CreateGptNeoX(vocabSize: Vocab, hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 48,
            rotaryPct: 0.5, useParallelResidual: parallelResidual, tieWordEmbeddings: tied, eosTokenId: 0);

    /// <summary>Llama with grouped-query attention (4 query heads, 2 key/value heads).</summary>
    public static CausalLmConfig Llama(bool tied = false, bool qwen2 = false, int eosTokenId = 2) =>
        CausalLmConfig.CreateLlama(vocabSize: Vocab, hiddenSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2,
            intermediateSize: 40, tieWordEmbeddings: tied, qwen2: qwen2, bosTokenId: 1, eosTokenId: eosTokenId);

    /// <summary>OPT with tied embeddings; <paramref name="wordEmbedProjDim"/> 24 adds project_in/project_out, as in opt-350m.</summary>
    public static CausalLmConfig Opt(bool normBefore = true, int? wordEmbedProjDim = null, bool tied = true, int maxPositions = 64, double dropout = 0) =>
        CausalLmConfig.CreateOpt(vocabSize: Vocab, hiddenSize: 32, numLayers: 2, numHeads: 4, ffnDim: 40, wordEmbedProjDim: wordEmbedProjDim,
            doLayerNormBefore: normBefore, tieWordEmbeddings: tied, maxPositionEmbeddings: maxPositions, dropout: dropout);

    /// <summary><paramref name="config"/> with some of its config.json keys replaced.</summary>
    public static CausalLmConfig With(CausalLmConfig config, params (string Key, JsonNode? Value)[] changes)
    {
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        foreach (var (key, value) in changes) json[key] = value;
        return CausalLmConfig.FromJson(json.ToJsonString());
    }

    public static CausalLmConfig ByName(string name) => name switch
    {
        "neox" => NeoX(),
        "neox-sequential" => NeoX(parallelResidual: false),
        "neox-tied" => NeoX(tied: true),
        "llama" => Llama(),
        "llama-tied" => Llama(tied: true),
        "qwen2" => Llama(qwen2: true),
        "opt" => Opt(),
        "opt-post" => Opt(normBefore: false),
        "opt-proj" => Opt(wordEmbedProjDim: 24, tied: false),
        "opt-350m" => Opt(normBefore: false, wordEmbedProjDim: 24),
        // No biases, LayerNorms without weights, no final LayerNorm (_remove_final_layer_norm).
        "opt-bare" => With(Opt(), ("enable_bias", false), ("layer_norm_elementwise_affine", false), ("_remove_final_layer_norm", true)),
        _ => throw new ArgumentException(name),
    };

    /// <summary>A model whose every parameter (biases and norm weights too) is random, so no term hides behind a zero or a one.</summary>
    public static CausalLm Randomized(CausalLmConfig config, int seed = 1, ModelDtype dtype = ModelDtype.Float32)
    {
        var model = CausalLm.Create(config, new ModelOptions { Seed = seed, Dtype = dtype });
        Randomize(model, seed);
        return model;
    }

    public static void Randomize(nn.Module model, int seed)
    {
        using var generator = new Generator((ulong)seed + 1000);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            bool isNorm = name.Contains("norm") && p.ndim == 1 && !name.EndsWith("bias", StringComparison.Ordinal);
            var noise = empty(p.shape, ScalarType.Float32).normal_(0, isNorm ? 0.2 : 0.15, generator);
            p.copy_((isNorm ? noise + 1 : noise).to(p.dtype));
        }
    }

    public static double[] ToDoubles(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray();
    }

    public static Tensor Ids(params long[][] rows)
    {
        int length = rows[0].Length;
        return tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, length], ScalarType.Int64);
    }

    public static double MaxAbsDifference(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();
    }
}
