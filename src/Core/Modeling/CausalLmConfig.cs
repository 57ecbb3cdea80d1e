using System.Text.Json.Nodes;
using XRight.IO;
using XRight.Modeling.Layers;

namespace XRight.Modeling;

/// <summary>
/// The shape of a causal language model, read from a Hugging Face <c>config.json</c>
/// (<c>model_type</c> <c>gpt_neox</c>, <c>llama</c>, <c>qwen2</c>, <c>mistral</c> or <c>opt</c>). Every key of the
/// file is kept, so <see cref="ToJson"/> writes back what was read, including keys this library
/// does not use.
/// </summary>
public sealed class CausalLmConfig
{
    /// <summary>The <c>model_type</c> values this library can build.</summary>
    public static readonly IReadOnlyList<string> SupportedModelTypes = Architectures.ModelTypes;

    /// <summary>The <c>hidden_act</c> values this library implements.</summary>
    public static readonly IReadOnlyList<string> SupportedActivations = ["gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu", "silu"];

    private readonly JsonObject _json;

    // The keys every family shares are read here; the family (chosen by model_type) reads its own.
    private CausalLmConfig(JsonFile f)
    {
        _json = f.Json;
        ModelType = f.OptionalString("model_type") ?? throw f.Missing("model_type", "one of " + string.Join(", ", SupportedModelTypes));
        Family = Architectures.For(ModelType, f.Source);
        Architecture = Family.Kind;

        var own = Family.ReadConfig(f, ModelType);
        VocabSize = f.PositiveInt("vocab_size");
        HiddenSize = f.PositiveInt("hidden_size");
        IntermediateSize = f.PositiveInt(own.IntermediateSizeKey);
        NumHiddenLayers = f.PositiveInt("num_hidden_layers");
        NumAttentionHeads = f.PositiveInt("num_attention_heads");
        EmbeddingSize = own.EmbeddingSize ?? HiddenSize;
        AtMost(f, "vocab_size", VocabSize, MaxVocabSize, "2^24");
        AtMost(f, "hidden_size", HiddenSize, MaxHiddenSize, "65536");
        AtMost(f, own.IntermediateSizeKey, IntermediateSize, MaxIntermediateSize, "2^20");
        AtMost(f, "num_hidden_layers", NumHiddenLayers, MaxLayers, "1024");
        AtMost(f, "max_position_embeddings", f.OptionalInt("max_position_embeddings") ?? 0, MaxPositions, "2^24");
        NumKeyValueHeads = f.RequirePositive("num_key_value_heads", own.NumKeyValueHeads ?? NumAttentionHeads);
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw f.Invalid($"'num_key_value_heads' ({NumKeyValueHeads}) must divide 'num_attention_heads' ({NumAttentionHeads}).");
        if (own.HeadDim is null && HiddenSize % NumAttentionHeads != 0)
            throw f.Invalid($"'num_attention_heads' ({NumAttentionHeads}) must divide 'hidden_size' ({HiddenSize}).");
        HeadDim = f.RequirePositive("head_dim", own.HeadDim ?? HiddenSize / NumAttentionHeads);
        MaxPositionEmbeddings = f.PositiveInt("max_position_embeddings", 2048);

        HiddenAct = f.OptionalString(own.ActivationKey) ?? own.DefaultActivation;
        if (!SupportedActivations.Contains(HiddenAct))
            throw new NotSupportedException($"{f.Source}: {own.ActivationKey} '{HiddenAct}' is not supported; supported: {string.Join(", ", SupportedActivations)}.");
        NormEpsilon = own.NormEpsilon;
        InitializerRange = f.PositiveDouble(own.InitializerRangeKey, 0.02);
        AttentionDropout = f.Probability("attention_dropout", 0.0);
        HiddenDropout = own.HiddenDropout;
        TieWordEmbeddings = f.Bool("tie_word_embeddings", own.DefaultTieWordEmbeddings);
        UseParallelResidual = own.UseParallelResidual;
        DoLayerNormBefore = own.NormBeforeSublayers;
        NormElementwiseAffine = own.NormElementwiseAffine;
        HasFinalNorm = own.FinalNorm;
        QkvBias = own.QkvBias;
        OutputBias = own.OutputBias;
        MlpBias = own.MlpBias;

        BosTokenId = f.OptionalInt("bos_token_id");
        PadTokenId = f.OptionalInt("pad_token_id");
        EosTokenIds = f.IntOrIntList("eos_token_id");
        SlidingWindow = own.SlidingWindow;
        Rotary = own.UsesRotary ? RotarySettings.Read(f, HeadDim, own.LegacyRopeTheta, own.DefaultRotaryFraction) : null;
        RotaryDim = Rotary?.RotaryDim ?? 0;
        RopeTheta = Rotary?.Theta ?? 0;
    }

    /// <summary>The <c>model_type</c> key: <c>gpt_neox</c>, <c>llama</c>, <c>qwen2</c>, <c>mistral</c> or <c>opt</c>.</summary>
    public string ModelType { get; }

    /// <summary>The module layout that <see cref="ModelType"/> maps to.</summary>
    public CausalLmArchitecture Architecture { get; }

    /// <summary>Rows of the token embedding and of the output head (<c>vocab_size</c>).</summary>
    public int VocabSize { get; }

    /// <summary>Width of the residual stream (<c>hidden_size</c>).</summary>
    public int HiddenSize { get; }

    /// <summary>Width of the MLP's inner layer (<c>intermediate_size</c>; OPT: <c>ffn_dim</c>).</summary>
    public int IntermediateSize { get; }

    /// <summary>Number of transformer layers (<c>num_hidden_layers</c>).</summary>
    public int NumHiddenLayers { get; }

    /// <summary>Number of query heads (<c>num_attention_heads</c>).</summary>
    public int NumAttentionHeads { get; }

    /// <summary>Number of key/value heads (<c>num_key_value_heads</c>); fewer than the query heads means grouped-query attention.</summary>
    public int NumKeyValueHeads { get; }

    /// <summary>Width of one attention head (<c>head_dim</c>, else hidden size / heads).</summary>
    public int HeadDim { get; }

    /// <summary>How many leading dimensions of each head are rotated (the whole head for Llama; <c>rotary_pct</c> of it for GPT-NeoX; 0 for OPT, which learns a position table instead).</summary>
    public int RotaryDim { get; }

    /// <summary>Rotary base θ (<c>rope_theta</c>, or <c>rotary_emb_base</c> in older GPT-NeoX files); 0 for OPT, which has no rotary embedding.</summary>
    public double RopeTheta { get; }

    /// <summary>
    /// Width of the token embedding, and of the final hidden states the output head reads: OPT's
    /// <c>word_embed_proj_dim</c> (projected to and from <see cref="HiddenSize"/> by <c>project_in</c> and
    /// <c>project_out</c> when it differs, as in opt-350m); <see cref="HiddenSize"/> for the other families.
    /// </summary>
    public int EmbeddingSize { get; }

    /// <summary>
    /// True when each layer normalises the input of its attention and MLP (pre-LN: every family, and OPT
    /// with <c>do_layer_norm_before</c>); false when it normalises after each residual addition (post-LN: opt-350m).
    /// </summary>
    public bool DoLayerNormBefore { get; }

    /// <summary>Positions the model was trained for (<c>max_position_embeddings</c>).</summary>
    public int MaxPositionEmbeddings { get; }

    /// <summary>The MLP activation (<c>hidden_act</c>; OPT: <c>activation_function</c>).</summary>
    public string HiddenAct { get; }

    /// <summary>The ε of the LayerNorms (GPT-NeoX, <c>layer_norm_eps</c>; OPT, 1e-5) or RMSNorms (Llama, <c>rms_norm_eps</c>).</summary>
    public double NormEpsilon { get; }

    /// <summary>Standard deviation of the normal initialisation of new weights (<c>initializer_range</c>; OPT: <c>init_std</c>).</summary>
    public double InitializerRange { get; }

    /// <summary>Dropout on attention probabilities while training (<c>attention_dropout</c>).</summary>
    public double AttentionDropout { get; }

    /// <summary>Dropout on the attention and MLP outputs while training (GPT-NeoX: <c>hidden_dropout</c>; OPT: <c>dropout</c>); 0 for Llama.</summary>
    public double HiddenDropout { get; }

    /// <summary>True when the output head reuses the token embedding matrix (<c>tie_word_embeddings</c>).</summary>
    public bool TieWordEmbeddings { get; }

    /// <summary>GPT-NeoX: attention and MLP read the same input and both add to the residual (<c>use_parallel_residual</c>).</summary>
    public bool UseParallelResidual { get; }

    /// <summary>True when the query, key and value projections have biases (GPT-NeoX, Qwen2, Llama with <c>attention_bias</c>).</summary>
    public bool QkvBias { get; }

    /// <summary>True when the attention output projection has a bias.</summary>
    public bool OutputBias { get; }

    /// <summary>True when the MLP projections have biases (GPT-NeoX; Llama with <c>mlp_bias</c>).</summary>
    public bool MlpBias { get; }

    /// <summary>The beginning-of-sequence token (<c>bos_token_id</c>), when set.</summary>
    public int? BosTokenId { get; }

    /// <summary>The end-of-sequence tokens (<c>eos_token_id</c>, one id or a list); empty when unset.</summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>The padding token (<c>pad_token_id</c>), when set.</summary>
    public int? PadTokenId { get; }

    /// <summary>
    /// Mistral/Qwen2 sliding-window attention width, when the model uses it. Sliding windows are not
    /// implemented: a forward pass longer than the window is refused, shorter ones are exact.
    /// </summary>
    public int? SlidingWindow { get; }

    // Sanity limits, far above any published model, that keep a corrupt config.json from allocating terabytes.
    internal const int MaxVocabSize = 1 << 24, MaxHiddenSize = 65536, MaxIntermediateSize = 1 << 20, MaxLayers = 1024, MaxPositions = 1 << 24;

    private static void AtMost(JsonFile f, string key, int value, int limit, string limitName)
    {
        if (value > limit) throw f.Invalid($"{key} {value} is implausible: at most {limit} ({limitName}) is accepted.");
    }

    /// <summary>The rotary embedding; null for a family without one (OPT).</summary>
    internal RotarySettings? Rotary { get; }

    /// <summary>False when the LayerNorms have no learned weight and bias (OPT's <c>layer_norm_elementwise_affine</c>).</summary>
    internal bool NormElementwiseAffine { get; }

    /// <summary>False when the trunk has no normalisation after its last layer (OPT post-LN, or with <c>_remove_final_layer_norm</c>).</summary>
    internal bool HasFinalNorm { get; }

    /// <summary>The family that <see cref="ModelType"/> belongs to: its own keys, LoRA defaults and modules.</summary>
    internal IArchitecture Family { get; }

    /// <summary>Parses the text of a <c>config.json</c>; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">A key is missing, has the wrong type or an invalid value.</exception>
    /// <exception cref="NotSupportedException">The model type, activation or rotary scaling is not implemented.</exception>
    public static CausalLmConfig FromJson(string json, string source = "config.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        return new CausalLmConfig(JsonFile.Parse(json, source));
    }

    /// <summary>Reads a <c>config.json</c> file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A key is missing, has the wrong type or an invalid value.</exception>
    /// <exception cref="NotSupportedException">The model type, activation or rotary scaling is not implemented.</exception>
    public static CausalLmConfig FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The model configuration '{path}' does not exist.", path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>
    /// A GPT-NeoX configuration (Pythia layout) with every key Hugging Face transformers needs.
    /// The defaults make a tiny model for tests and samples.
    /// </summary>
    public static CausalLmConfig CreateGptNeoX(int vocabSize = 128, int hiddenSize = 32, int numLayers = 2, int numHeads = 4,
        int? intermediateSize = null, double rotaryPct = 0.25, bool useParallelResidual = true, bool tieWordEmbeddings = false,
        int maxPositionEmbeddings = 256, int bosTokenId = 0, int eosTokenId = 0) =>
        FromJson(GptNeoXArchitecture.Template(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, rotaryPct, useParallelResidual,
            tieWordEmbeddings, maxPositionEmbeddings, bosTokenId, eosTokenId).ToJsonString(), "CreateGptNeoX");

    /// <summary>
    /// A Llama configuration with every key Hugging Face transformers needs; <paramref name="qwen2"/>
    /// makes it a Qwen2 model (biases on q, k, v). The defaults make a tiny model for tests and samples.
    /// </summary>
    public static CausalLmConfig CreateLlama(int vocabSize = 128, int hiddenSize = 32, int numLayers = 2, int numHeads = 4,
        int? numKeyValueHeads = null, int? intermediateSize = null, bool tieWordEmbeddings = false, bool qwen2 = false,
        int maxPositionEmbeddings = 256, double ropeTheta = 10000, int bosTokenId = 1, int eosTokenId = 2) =>
        FromJson(LlamaArchitecture.Template(vocabSize, hiddenSize, numLayers, numHeads, numKeyValueHeads, intermediateSize, tieWordEmbeddings,
            qwen2, maxPositionEmbeddings, ropeTheta, bosTokenId, eosTokenId).ToJsonString(), "CreateLlama");

    /// <summary>
    /// An OPT configuration with every key Hugging Face transformers needs; a <paramref name="wordEmbedProjDim"/>
    /// other than <paramref name="hiddenSize"/> adds <c>project_in</c>/<c>project_out</c> and
    /// <paramref name="doLayerNormBefore"/> false makes the layers post-LN, as in opt-350m. The defaults make a
    /// tiny model for tests and samples, with dropout 0 (the published OPT files say 0.1).
    /// </summary>
    public static CausalLmConfig CreateOpt(int vocabSize = 128, int hiddenSize = 32, int numLayers = 2, int numHeads = 4,
        int? ffnDim = null, int? wordEmbedProjDim = null, bool doLayerNormBefore = true, bool tieWordEmbeddings = true,
        int maxPositionEmbeddings = 256, double dropout = 0.0, int bosTokenId = 2, int eosTokenId = 2, int padTokenId = 1) =>
        FromJson(OptArchitecture.Template(vocabSize, hiddenSize, numLayers, numHeads, ffnDim, wordEmbedProjDim, doLayerNormBefore,
            tieWordEmbeddings, maxPositionEmbeddings, dropout, bosTokenId, eosTokenId, padTokenId).ToJsonString(), "CreateOpt");

    /// <summary>The configuration as <c>config.json</c> text: every key that was read, indented.</summary>
    public string ToJson() => _json.ToJsonString(JsonFile.Indented);

    /// <summary>The JSON with the dtype keys set to <paramref name="torchDtype"/> (e.g. <c>bfloat16</c>), as saved beside weights of that type.</summary>
    internal string ToJsonWithDtype(string torchDtype)
    {
        var copy = (JsonObject)_json.DeepClone();
        copy["torch_dtype"] = torchDtype;
        if (copy.ContainsKey("dtype")) copy["dtype"] = torchDtype;
        return copy.ToJsonString(JsonFile.Indented);
    }
}
