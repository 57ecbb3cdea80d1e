using System.Text.Json.Nodes;
using XRight.IO;
using XRight.Modeling.Layers;

namespace XRight.Modeling;

/// <summary>
/// The shape of a causal language model, read from a Hugging Face <c>config.json</c>
/// (<c>model_type</c> <c>gpt_neox</c>, <c>llama</c>, <c>qwen2</c> or <c>mistral</c>). Every key of the
/// file is kept, so <see cref="ToJson"/> writes back what was read, including keys this library
/// does not use.
/// </summary>
public sealed class CausalLmConfig
{
    /// <summary>The <c>model_type</c> values this library can build.</summary>
    public static readonly IReadOnlyList<string> SupportedModelTypes = ["gpt_neox", "llama", "qwen2", "mistral"];

    /// <summary>The <c>hidden_act</c> values this library implements.</summary>
    public static readonly IReadOnlyList<string> SupportedActivations = ["gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu", "silu"];

    private readonly JsonObject _json;

    private CausalLmConfig(JsonFile f)
    {
        _json = f.Json;
        ModelType = f.OptionalString("model_type") ?? throw f.Missing("model_type", "one of " + string.Join(", ", SupportedModelTypes));
        if (!SupportedModelTypes.Contains(ModelType))
            throw new NotSupportedException($"{f.Source}: model_type '{ModelType}' is not supported; supported: {string.Join(", ", SupportedModelTypes)}.");
        Architecture = ModelType == "gpt_neox" ? CausalLmArchitecture.GptNeoX : CausalLmArchitecture.Llama;
        bool neox = Architecture == CausalLmArchitecture.GptNeoX;

        VocabSize = Positive(f, "vocab_size", f.Int("vocab_size"));
        HiddenSize = Positive(f, "hidden_size", f.Int("hidden_size"));
        IntermediateSize = Positive(f, "intermediate_size", f.Int("intermediate_size"));
        NumHiddenLayers = Positive(f, "num_hidden_layers", f.Int("num_hidden_layers"));
        NumAttentionHeads = Positive(f, "num_attention_heads", f.Int("num_attention_heads"));
        NumKeyValueHeads = neox ? NumAttentionHeads : Positive(f, "num_key_value_heads", f.OptionalInt("num_key_value_heads") ?? NumAttentionHeads);
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw f.Invalid($"'num_key_value_heads' ({NumKeyValueHeads}) must divide 'num_attention_heads' ({NumAttentionHeads}).");
        int? headDim = neox ? null : f.OptionalInt("head_dim");
        if (headDim is null && HiddenSize % NumAttentionHeads != 0)
            throw f.Invalid($"'num_attention_heads' ({NumAttentionHeads}) must divide 'hidden_size' ({HiddenSize}).");
        HeadDim = Positive(f, "head_dim", headDim ?? HiddenSize / NumAttentionHeads);
        MaxPositionEmbeddings = Positive(f, "max_position_embeddings", f.OptionalInt("max_position_embeddings") ?? 2048);

        HiddenAct = f.OptionalString("hidden_act") ?? (neox ? "gelu" : "silu");
        if (!SupportedActivations.Contains(HiddenAct))
            throw new NotSupportedException($"{f.Source}: hidden_act '{HiddenAct}' is not supported; supported: {string.Join(", ", SupportedActivations)}.");
        NormEpsilon = PositiveDouble(f, neox ? "layer_norm_eps" : "rms_norm_eps", f.Double(neox ? "layer_norm_eps" : "rms_norm_eps", neox ? 1e-5 : 1e-6));
        InitializerRange = PositiveDouble(f, "initializer_range", f.Double("initializer_range", 0.02));
        AttentionDropout = Probability(f, "attention_dropout", f.Double("attention_dropout", 0.0));
        HiddenDropout = neox ? Probability(f, "hidden_dropout", f.Double("hidden_dropout", 0.0)) : 0.0;
        TieWordEmbeddings = f.Bool("tie_word_embeddings", false);
        UseParallelResidual = neox && f.Bool("use_parallel_residual", true);

        // Qwen2 always has biases on q, k, v and none on o; Llama's attention_bias covers all four.
        bool attentionBias = f.Bool("attention_bias", neox);
        QkvBias = ModelType == "qwen2" || attentionBias;
        OutputBias = ModelType != "qwen2" && attentionBias;
        MlpBias = neox || f.Bool("mlp_bias", false);

        BosTokenId = f.OptionalInt("bos_token_id");
        PadTokenId = f.OptionalInt("pad_token_id");
        EosTokenIds = f.IntOrIntList("eos_token_id");
        SlidingWindow = ReadSlidingWindow(f);
        Rotary = ReadRotary(f, neox);
        RotaryDim = Rotary.RotaryDim;
        RopeTheta = Rotary.Theta;
    }

    /// <summary>The <c>model_type</c> key: <c>gpt_neox</c>, <c>llama</c>, <c>qwen2</c> or <c>mistral</c>.</summary>
    public string ModelType { get; }

    /// <summary>The module layout that <see cref="ModelType"/> maps to.</summary>
    public CausalLmArchitecture Architecture { get; }

    /// <summary>Rows of the token embedding and of the output head (<c>vocab_size</c>).</summary>
    public int VocabSize { get; }

    /// <summary>Width of the residual stream (<c>hidden_size</c>).</summary>
    public int HiddenSize { get; }

    /// <summary>Width of the MLP's inner layer (<c>intermediate_size</c>).</summary>
    public int IntermediateSize { get; }

    /// <summary>Number of transformer layers (<c>num_hidden_layers</c>).</summary>
    public int NumHiddenLayers { get; }

    /// <summary>Number of query heads (<c>num_attention_heads</c>).</summary>
    public int NumAttentionHeads { get; }

    /// <summary>Number of key/value heads (<c>num_key_value_heads</c>); fewer than the query heads means grouped-query attention.</summary>
    public int NumKeyValueHeads { get; }

    /// <summary>Width of one attention head (<c>head_dim</c>, else hidden size / heads).</summary>
    public int HeadDim { get; }

    /// <summary>How many leading dimensions of each head are rotated (the whole head for Llama; <c>rotary_pct</c> of it for GPT-NeoX).</summary>
    public int RotaryDim { get; }

    /// <summary>Rotary base θ (<c>rope_theta</c>, or <c>rotary_emb_base</c> in older GPT-NeoX files).</summary>
    public double RopeTheta { get; }

    /// <summary>Positions the model was trained for (<c>max_position_embeddings</c>).</summary>
    public int MaxPositionEmbeddings { get; }

    /// <summary>The MLP activation (<c>hidden_act</c>).</summary>
    public string HiddenAct { get; }

    /// <summary>The ε of the LayerNorms (GPT-NeoX, <c>layer_norm_eps</c>) or RMSNorms (Llama, <c>rms_norm_eps</c>).</summary>
    public double NormEpsilon { get; }

    /// <summary>Standard deviation of the normal initialisation of new weights (<c>initializer_range</c>).</summary>
    public double InitializerRange { get; }

    /// <summary>Dropout on attention probabilities while training (<c>attention_dropout</c>).</summary>
    public double AttentionDropout { get; }

    /// <summary>GPT-NeoX: dropout on the attention and MLP outputs while training (<c>hidden_dropout</c>); 0 for Llama.</summary>
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

    internal RotarySettings Rotary { get; }

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
        FromJson(new JsonObject
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
        }.ToJsonString(), "CreateGptNeoX");

    /// <summary>
    /// A Llama configuration with every key Hugging Face transformers needs; <paramref name="qwen2"/>
    /// makes it a Qwen2 model (biases on q, k, v). The defaults make a tiny model for tests and samples.
    /// </summary>
    public static CausalLmConfig CreateLlama(int vocabSize = 128, int hiddenSize = 32, int numLayers = 2, int numHeads = 4,
        int? numKeyValueHeads = null, int? intermediateSize = null, bool tieWordEmbeddings = false, bool qwen2 = false,
        int maxPositionEmbeddings = 256, double ropeTheta = 10000, int bosTokenId = 1, int eosTokenId = 2)
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
        return FromJson(json.ToJsonString(), "CreateLlama");
    }

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

    private static int Positive(JsonFile f, string key, int value) =>
        value > 0 ? value : throw f.Invalid($"'{key}' must be a positive integer, found {value}.");

    private static double PositiveDouble(JsonFile f, string key, double value) =>
        value > 0 && double.IsFinite(value) ? value : throw f.Invalid($"'{key}' must be a positive number, found {value}.");

    private static double Probability(JsonFile f, string key, double value) =>
        value is >= 0 and < 1 ? value : throw f.Invalid($"'{key}' must be in [0, 1), found {value}.");

    private int? ReadSlidingWindow(JsonFile f) => ModelType switch
    {
        // MistralConfig defaults to a 4096 window; an explicit null turns it off.
        "mistral" => f.Json.ContainsKey("sliding_window") ? f.OptionalInt("sliding_window") : 4096,
        "qwen2" when f.Bool("use_sliding_window", false) => f.OptionalInt("sliding_window")
            ?? throw f.Missing("sliding_window", "an integer, since use_sliding_window is true"),
        _ => null,
    };

    // Rotary keys moved over the transformers versions: rotary_emb_base/rotary_pct (old GPT-NeoX),
    // rope_theta/rope_scaling/partial_rotary_factor, and rope_parameters (newest) holding all of them.
    private RotarySettings ReadRotary(JsonFile f, bool neox)
    {
        var parameters = f.OptionalObject("rope_parameters");
        var scaling = f.OptionalObject("rope_scaling") ?? parameters;
        double theta = (parameters is null ? null : f.OptionalDouble(parameters, "rope_theta"))
                       ?? f.OptionalDouble("rope_theta") ?? (neox ? f.OptionalDouble("rotary_emb_base") : null) ?? 10000.0;
        double fraction = (parameters is null ? null : f.OptionalDouble(parameters, "partial_rotary_factor"))
                          ?? f.OptionalDouble("partial_rotary_factor") ?? (neox ? f.OptionalDouble("rotary_pct") ?? 0.25 : 1.0);
        if (!(fraction > 0 && fraction <= 1)) throw f.Invalid($"the rotary fraction (rotary_pct / partial_rotary_factor) must be in (0, 1], found {fraction}.");
        int rotaryDim = (int)(HeadDim * fraction);
        if (rotaryDim < 2 || rotaryDim % 2 != 0)
            throw f.Invalid($"the rotary width head_dim × rotary fraction = {HeadDim} × {fraction} gives {rotaryDim}; it must be an even number ≥ 2.");
        PositiveDouble(f, "rope_theta", theta);

        string type = (scaling is null ? null : f.OptionalString(scaling, "rope_type") ?? f.OptionalString(scaling, "type")) ?? "default";
        if (!RotarySettings.SupportedScalingTypes.Contains(type))
            throw new NotSupportedException($"{f.Source}: rope_scaling type '{type}' is not supported; supported: {string.Join(", ", RotarySettings.SupportedScalingTypes)}.");
        if (type == "default") return new RotarySettings(theta, rotaryDim);

        double Required(string key) => f.OptionalDouble(scaling!, key) ?? throw f.Missing($"rope_scaling.{key}", $"a number, for rope type '{type}'");
        double factor = Required("factor");
        if (!(factor >= 1)) throw f.Invalid($"'rope_scaling.factor' must be ≥ 1, found {factor}.");
        if (type == "linear") return new RotarySettings(theta, rotaryDim, type, factor);

        double low = Required("low_freq_factor"), high = Required("high_freq_factor");
        double original = Required("original_max_position_embeddings");
        if (!(high > low && low > 0)) throw f.Invalid($"rope_scaling needs 0 < low_freq_factor < high_freq_factor, found {low} and {high}.");
        return new RotarySettings(theta, rotaryDim, type, factor, low, high, (int)original);
    }
}
