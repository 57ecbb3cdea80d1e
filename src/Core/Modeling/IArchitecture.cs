using XRight.IO;
using XRight.Modeling.Layers;

namespace XRight.Modeling;

/// <summary>
/// One family of transformer layouts (GPT-NeoX, Llama, …): which <c>model_type</c> values it reads,
/// the <c>config.json</c> keys whose names, defaults or meaning are its own, PEFT's default LoRA
/// targets for it, and how to build its module. Each family lives in one file and is listed once in
/// <see cref="Architectures"/>.
/// </summary>
internal interface IArchitecture
{
    /// <summary>The public name of the layout.</summary>
    CausalLmArchitecture Kind { get; }

    /// <summary>The <c>model_type</c> values of <c>config.json</c> this family reads.</summary>
    IReadOnlyList<string> ModelTypes { get; }

    /// <summary>The linear layers PEFT adapts when <see cref="XRight.LoraOptions.TargetModules"/> is empty.</summary>
    IReadOnlyList<string> DefaultLoraTargets { get; }

    /// <summary>
    /// Reads the family's own keys from a <c>config.json</c> of <paramref name="modelType"/>; the keys
    /// every family shares are read by <see cref="CausalLmConfig"/>.
    /// </summary>
    ArchitectureSettings ReadConfig(JsonFile config, string modelType);

    /// <summary>The model, with its parameters under Hugging Face's names.</summary>
    CausalLm Build(CausalLmConfig config, ParameterFactory factory);
}

/// <summary>What a family reads from <c>config.json</c> where families differ.</summary>
internal sealed record ArchitectureSettings
{
    /// <summary>The activation when <see cref="ActivationKey"/> is absent.</summary>
    public required string DefaultActivation { get; init; }

    /// <summary>The key naming the MLP activation.</summary>
    public string ActivationKey { get; init; } = "hidden_act";

    /// <summary>The key giving the width of the MLP's inner layer.</summary>
    public string IntermediateSizeKey { get; init; } = "intermediate_size";

    /// <summary>The key giving the standard deviation of the initial weights.</summary>
    public string InitializerRangeKey { get; init; } = "initializer_range";

    /// <summary>The <c>tie_word_embeddings</c> of the family's config class when the key is absent.</summary>
    public bool DefaultTieWordEmbeddings { get; init; }

    /// <summary>The ε of the family's normalisation layers.</summary>
    public required double NormEpsilon { get; init; }

    public required bool QkvBias { get; init; }

    public required bool OutputBias { get; init; }

    public required bool MlpBias { get; init; }

    /// <summary>Key/value heads; null: one per query head (no grouped-query attention).</summary>
    public int? NumKeyValueHeads { get; init; }

    /// <summary>Width of a head; null: <c>hidden_size</c> / <c>num_attention_heads</c>.</summary>
    public int? HeadDim { get; init; }

    public double HiddenDropout { get; init; }

    public bool UseParallelResidual { get; init; }

    public int? SlidingWindow { get; init; }

    /// <summary>False for families that encode positions otherwise (OPT's learned position table): no rotary keys are read.</summary>
    public bool UsesRotary { get; init; } = true;

    /// <summary>Width of the token embedding and of the output head's input; null: <c>hidden_size</c>.</summary>
    public int? EmbeddingSize { get; init; }

    /// <summary>False for post-LN layers, which normalise after each residual addition instead of before each sublayer.</summary>
    public bool NormBeforeSublayers { get; init; } = true;

    /// <summary>False when the LayerNorms have no learned weight and bias.</summary>
    public bool NormElementwiseAffine { get; init; } = true;

    /// <summary>False when the trunk has no normalisation after its last layer.</summary>
    public bool FinalNorm { get; init; } = true;

    /// <summary>The rotary base an older key gives, used when <c>rope_theta</c> is absent.</summary>
    public double? LegacyRopeTheta { get; init; }

    /// <summary>The rotated fraction of each head when <c>partial_rotary_factor</c> is absent.</summary>
    public double DefaultRotaryFraction { get; init; } = 1.0;
}
