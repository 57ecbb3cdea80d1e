using TorchSharp;
using XRight.Modeling;
using XRight.Text;
using static TorchSharp.torch;

namespace XRight.Tests.Evaluation;

/// <summary>
/// Byte-level GPT-NeoX models whose outputs are known by construction, so benchmark numbers can be worked
/// out by hand: one whose logits are the same vector at every position, and one that is a bigram table
/// (its next-token choice depends on the current token only).
/// </summary>
internal static class EvalModels
{
    /// <summary>The vocabulary: the byte-level tokenizer's 258 ids and two spare ones.</summary>
    public const int Vocab = 260;

    public const int Hidden = 16;

    public static CausalLmTokenizer Bytes { get; } = CausalLmTokenizer.CreateByteLevel();

    public static CausalLmConfig Config(int? padTokenId = null)
    {
        var config = CausalLmConfig.CreateGptNeoX(vocabSize: Vocab, hiddenSize: Hidden, numLayers: 1, numHeads: 2, maxPositionEmbeddings: 2048, eosTokenId: 256);
        return padTokenId is { } pad ? Modeling.TinyModels.With(config, ("pad_token_id", pad)) : config;
    }

    /// <summary>
    /// The logits are <paramref name="logits"/> (the rest 0) at every position, whatever the input: the final
    /// LayerNorm has weight 0 and bias e₀, so every final hidden state is e₀, and column 0 of the head holds the logits.
    /// </summary>
    public static CausalLm ConstantLogits(IReadOnlyDictionary<int, double> logits)
    {
        var model = Modeling.TinyModels.Randomized(Config());
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var p = Parameters(model);
        p["gpt_neox.final_layer_norm.weight"].zero_();
        p["gpt_neox.final_layer_norm.bias"].zero_();
        p["gpt_neox.final_layer_norm.bias"][0] = 1.0f;
        var head = p["embed_out.weight"];
        head.zero_();
        foreach (var (token, value) in logits) head[token, 0] = (float)value;
        model.eval();
        return model;
    }

    /// <summary>The log-softmax of the constant logits at <paramref name="token"/>, computed in double.</summary>
    public static double LogProb(IReadOnlyDictionary<int, double> logits, int token)
    {
        double logSumExp = Math.Log(Vocab - logits.Count + logits.Values.Sum(Math.Exp));
        return (logits.TryGetValue(token, out var z) ? z : 0) - logSumExp;
    }

    /// <summary>
    /// A bigram model: after token a it strongly prefers <paramref name="next"/>[a]; after any other token all
    /// logits are 0. Every layer's attention and MLP outputs are zeroed, so the final hidden state is the
    /// LayerNorm of the current token's embedding; mapped tokens get one-hot embeddings and the head row of
    /// their successor is that LayerNorm's output (a logit of about <see cref="Hidden"/> against about −1).
    /// </summary>
    public static CausalLm Bigram(IReadOnlyDictionary<int, int> next) => (CausalLm)ZeroLayers(Modeling.TinyModels.Randomized(Config()), next, out _);

    /// <summary>The trunk of <paramref name="model"/> made to pass embeddings through; returns the LayerNorm outputs of the one-hot tokens.</summary>
    public static nn.Module ZeroLayers(nn.Module model, IReadOnlyDictionary<int, int> next, out Dictionary<int, float[]> normed)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var p = Parameters(model);
        foreach (var (name, parameter) in p)
        {
            if (name.Contains("attention.dense.") || name.Contains("mlp.dense_4h_to_h.")) parameter.zero_();
        }
        p["gpt_neox.final_layer_norm.weight"].fill_(1.0f);
        p["gpt_neox.final_layer_norm.bias"].zero_();
        var embedding = p["gpt_neox.embed_in.weight"];
        embedding.zero_();
        normed = [];
        int slot = 0;
        foreach (var token in next.Keys.Order())
        {
            embedding[token, slot] = 1.0f;
            var oneHot = new float[Hidden];
            oneHot[slot++] = 1;
            normed[token] = LayerNorm(oneHot);
        }
        if (p.TryGetValue("embed_out.weight", out var head))
        {
            head.zero_();
            foreach (var (token, successor) in next)
                head[successor] = head[successor] + tensor(normed[token]);
        }
        model.eval();
        return model;
    }

    /// <summary>LayerNorm with unit weight and zero bias, ε = 1e-5, as GPT-NeoX's.</summary>
    public static float[] LayerNorm(float[] x)
    {
        double mean = x.Average(v => (double)v);
        double variance = x.Average(v => (v - mean) * (v - mean));
        return x.Select(v => (float)((v - mean) / Math.Sqrt(variance + 1e-5))).ToArray();
    }

    public static Dictionary<string, TorchSharp.Modules.Parameter> Parameters(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
}
