using XRight.Modeling;
using XRight.Modeling.Lora;

namespace XRight.Planning;

/// <summary>A linear layer of a model: its full module name (as LoRA targets match it) and its shape.</summary>
internal sealed record LinearShape(string Name, long In, long Out, bool Bias)
{
    public long Parameters => In * Out + (Bias ? Out : 0);
}

/// <summary>
/// The parameters of a model, counted from its configuration the way the family's modules create them
/// (src/Core/Modeling), grouped as the memory estimate needs them: per decoder layer, and outside the layers.
/// </summary>
internal sealed class ModelLayout
{
    private ModelLayout(CausalLmConfig config)
    {
        Config = config;
        long h = config.HiddenSize, i = config.IntermediateSize, heads = (long)config.NumAttentionHeads * config.HeadDim;
        long kv = (long)config.NumKeyValueHeads * config.HeadDim, e = config.EmbeddingSize, v = config.VocabSize;
        switch (config.Architecture)
        {
            case CausalLmArchitecture.GptNeoX:
                Prefix = "gpt_neox.layers.";
                HeadName = "embed_out";
                LayerLinears = l => [
                    new($"{Prefix}{l}.attention.query_key_value", h, 3 * heads, config.QkvBias),
                    new($"{Prefix}{l}.attention.dense", heads, h, config.OutputBias),
                    new($"{Prefix}{l}.mlp.dense_h_to_4h", h, i, config.MlpBias),
                    new($"{Prefix}{l}.mlp.dense_4h_to_h", i, h, config.MlpBias)];
                LayerOtherParameters = 4 * h; // two LayerNorms with weight and bias
                EmbeddingParameters = v * h;
                FinalNormParameters = 2 * h;
                break;
            case CausalLmArchitecture.Llama:
                Prefix = "model.layers.";
                HeadName = "lm_head";
                LayerLinears = l => [
                    new($"{Prefix}{l}.self_attn.q_proj", h, heads, config.QkvBias),
                    new($"{Prefix}{l}.self_attn.k_proj", h, kv, config.QkvBias),
                    new($"{Prefix}{l}.self_attn.v_proj", h, kv, config.QkvBias),
                    new($"{Prefix}{l}.self_attn.o_proj", heads, h, config.OutputBias),
                    new($"{Prefix}{l}.mlp.gate_proj", h, i, config.MlpBias),
                    new($"{Prefix}{l}.mlp.up_proj", h, i, config.MlpBias),
                    new($"{Prefix}{l}.mlp.down_proj", i, h, config.MlpBias)];
                LayerOtherParameters = 2 * h; // two RMSNorm weights
                EmbeddingParameters = v * h;
                FinalNormParameters = h;
                break;
            case CausalLmArchitecture.Opt:
                Prefix = "model.decoder.layers.";
                HeadName = "lm_head";
                LayerLinears = l => [
                    new($"{Prefix}{l}.self_attn.k_proj", h, heads, config.QkvBias),
                    new($"{Prefix}{l}.self_attn.v_proj", h, heads, config.QkvBias),
                    new($"{Prefix}{l}.self_attn.q_proj", h, heads, config.QkvBias),
                    new($"{Prefix}{l}.self_attn.out_proj", heads, h, config.OutputBias),
                    new($"{Prefix}{l}.fc1", h, i, config.MlpBias),
                    new($"{Prefix}{l}.fc2", i, h, config.MlpBias)];
                LayerOtherParameters = config.NormElementwiseAffine ? 4 * h : 0;
                EmbeddingParameters = v * e + (config.MaxPositionEmbeddings + OptArchitecture.PositionOffset) * h;
                FinalNormParameters = config.HasFinalNorm && config.NormElementwiseAffine ? 2 * h : 0;
                if (e != h)
                    OtherLinears = [new("model.decoder.project_out", h, e, false), new("model.decoder.project_in", e, h, false)];
                break;
            default:
                throw new NotSupportedException($"The memory planner does not know the layout of {config.Architecture} models.");
        }
        Head = config.TieWordEmbeddings ? null : new LinearShape(HeadName, e, v, false);
    }

    public CausalLmConfig Config { get; }

    public string Prefix { get; }

    public string HeadName { get; }

    /// <summary>The linear layers of decoder layer <c>l</c>, with their full names.</summary>
    public Func<int, LinearShape[]> LayerLinears { get; }

    /// <summary>Norm weights and biases of one decoder layer.</summary>
    public long LayerOtherParameters { get; }

    /// <summary>Token embedding, plus OPT's learned position table.</summary>
    public long EmbeddingParameters { get; }

    public long FinalNormParameters { get; }

    /// <summary>Linear layers outside the decoder layers other than the head (OPT's project_in/project_out).</summary>
    public IReadOnlyList<LinearShape> OtherLinears { get; } = [];

    /// <summary>The untied output head; null when it reuses the embedding.</summary>
    public LinearShape? Head { get; }

    public long LayerParameters => LayerLinears(0).Sum(l => l.Parameters) + LayerOtherParameters;

    public long TotalParameters =>
        EmbeddingParameters + Config.NumHiddenLayers * LayerParameters + FinalNormParameters + OtherLinears.Sum(l => l.Parameters) + (Head?.Parameters ?? 0);

    public static ModelLayout Of(CausalLmConfig config) => new(config);

    /// <summary>
    /// The linear layers LoRA adapts, by full name, as <see cref="LoraAdapters.Attach"/> chooses them (the head
    /// never under all-linear); throws as it does when a target matches no layer.
    /// </summary>
    public HashSet<string> LoraTargets(LoraOptions lora)
    {
        var targets = lora.ResolveTargets(Config.Family.DefaultLoraTargets);
        bool allLinear = targets.Count == 1 && targets[0] == LoraOptions.AllLinear;
        if (!allLinear && targets.Contains(LoraOptions.AllLinear))
            throw new ArgumentException($"LoraOptions.TargetModules: '{LoraOptions.AllLinear}' cannot be combined with other names.");
        var all = Enumerable.Range(0, Config.NumHiddenLayers).SelectMany(LayerLinears).Concat(OtherLinears)
            .Concat(Head is null ? [] : [Head]).Select(l => l.Name).ToList();
        var chosen = all.Where(n => allLinear ? n != HeadName : targets.Any(t => LoraAdapters.Matches(n, t))).ToHashSet();
        var unmatched = allLinear ? [] : targets.Where(t => !all.Any(n => LoraAdapters.Matches(n, t))).ToList();
        if (unmatched.Count > 0 || chosen.Count == 0)
            throw new ArgumentException($"LoraOptions.TargetModules: no linear layer of this {Config.ModelType} model matches {string.Join(", ", unmatched.Select(t => $"'{t}'"))}.");
        return chosen;
    }
}
