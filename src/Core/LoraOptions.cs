namespace XRight;

/// <summary>
/// A LoRA adapter: each targeted linear layer W gains a trainable update (α/r)·B·A of rank r, with
/// B initialised to zero so the adapted model starts equal to the base model. Defaults are PEFT's.
/// </summary>
/// <remarks>
/// The paper's settings: r = α = 32 on <c>query_key_value</c> for Pythia, r = α = 16 on
/// <c>q_proj</c>, <c>v_proj</c> for Llama.
/// </remarks>
public sealed record LoraOptions
{
    /// <summary>The value of <see cref="TargetModules"/> that targets every linear layer except the output head.</summary>
    public const string AllLinear = "all-linear";

    /// <summary>Rank r of the update. Default: 8.</summary>
    public int Rank { get; init; } = 8;

    /// <summary>α: the update is scaled by α / r (α / √r with <see cref="UseRsLora"/>). Default: 8.</summary>
    public double Alpha { get; init; } = 8;

    /// <summary>Dropout on the adapter's input while training. Default: 0.</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Linear layers to adapt, by name as PEFT matches them: a layer is targeted when its full name
    /// equals an entry or ends with "." + the entry (so <c>q_proj</c> targets every layer's
    /// <c>self_attn.q_proj</c>), or <see cref="AllLinear"/>. Empty: PEFT's default for the model type
    /// (<c>query_key_value</c> for GPT-NeoX, <c>q_proj</c> and <c>v_proj</c> for Llama-shaped models and OPT).
    /// </summary>
    public IReadOnlyList<string> TargetModules { get; init; } = [];

    /// <summary>Rank-stabilised scaling α / √r instead of α / r. Default: false.</summary>
    public bool UseRsLora { get; init; }

    /// <summary>Seed of the initialisation of the A matrices. Default: 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The factor applied to B·A.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>The target names in effect: <see cref="TargetModules"/>, or the model family's <paramref name="defaults"/> when it is empty.</summary>
    internal IReadOnlyList<string> ResolveTargets(IReadOnlyList<string> defaults) =>
        TargetModules.Count > 0 ? TargetModules : defaults;

    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    internal void Validate()
    {
        if (Rank <= 0) throw new ArgumentException($"LoraOptions.Rank must be positive, found {Rank}.");
        if (!(Alpha > 0) || !double.IsFinite(Alpha)) throw new ArgumentException($"LoraOptions.Alpha must be a positive number, found {Alpha}.");
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout)) throw new ArgumentException($"LoraOptions.Dropout must be in [0, 1), found {Dropout}.");
        if (TargetModules is null) throw new ArgumentException("LoraOptions.TargetModules must not be null (leave it empty for the model type's default).");
        if (TargetModules.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("LoraOptions.TargetModules must not contain empty names.");
    }
}
