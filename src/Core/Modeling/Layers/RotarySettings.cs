using XRight.IO;

namespace XRight.Modeling.Layers;

/// <summary>
/// The rotary position embedding of a model: base θ, how many leading dimensions of each head
/// rotate, and the frequency rescaling (<c>rope_scaling</c>) when one is configured.
/// </summary>
internal sealed record RotarySettings(
    double Theta,
    int RotaryDim,
    string ScalingType = "default",
    double Factor = 1.0,
    double LowFreqFactor = 1.0,
    double HighFreqFactor = 4.0,
    int OriginalMaxPositions = 8192)
{
    /// <summary>The scaling types implemented: none, position interpolation, and Llama 3's band-wise rescaling.</summary>
    public static readonly IReadOnlyList<string> SupportedScalingTypes = ["default", "linear", "llama3"];

    /// <summary>
    /// Reads the rotary keys of a <c>config.json</c> for heads of <paramref name="headDim"/>. The keys moved over
    /// the transformers versions: rope_theta / rope_scaling / partial_rotary_factor at the top level, and
    /// rope_parameters (newest) holding all of them. <paramref name="legacyTheta"/> (an older key of the family)
    /// stands in for an absent rope_theta, <paramref name="defaultFraction"/> for an absent partial_rotary_factor.
    /// </summary>
    public static RotarySettings Read(JsonFile f, int headDim, double? legacyTheta, double defaultFraction)
    {
        var parameters = f.OptionalObject("rope_parameters");
        var scaling = f.OptionalObject("rope_scaling") ?? parameters;
        double theta = (parameters is null ? null : f.OptionalDouble(parameters, "rope_theta"))
                       ?? f.OptionalDouble("rope_theta") ?? legacyTheta ?? 10000.0;
        double fraction = (parameters is null ? null : f.OptionalDouble(parameters, "partial_rotary_factor"))
                          ?? f.OptionalDouble("partial_rotary_factor") ?? defaultFraction;
        if (!(fraction > 0 && fraction <= 1)) throw f.Invalid($"the rotary fraction (rotary_pct / partial_rotary_factor) must be in (0, 1], found {fraction}.");
        int rotaryDim = (int)(headDim * fraction);
        if (rotaryDim < 2 || rotaryDim % 2 != 0)
            throw f.Invalid($"the rotary width head_dim × rotary fraction = {headDim} × {fraction} gives {rotaryDim}; it must be an even number ≥ 2.");
        f.RequirePositive("rope_theta", theta);

        string type = (scaling is null ? null : f.OptionalString(scaling, "rope_type") ?? f.OptionalString(scaling, "type")) ?? "default";
        if (!SupportedScalingTypes.Contains(type))
            throw new NotSupportedException($"{f.Source}: rope_scaling type '{type}' is not supported; supported: {string.Join(", ", SupportedScalingTypes)}.");
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

    /// <summary>
    /// The <c>RotaryDim / 2</c> inverse frequencies θ^(−2i/d), computed in single precision as
    /// Hugging Face does, then rescaled as the scaling type says.
    /// </summary>
    public float[] InverseFrequencies()
    {
        var inv = new float[RotaryDim / 2];
        for (int i = 0; i < inv.Length; i++)
            inv[i] = 1f / MathF.Pow((float)Theta, (2f * i) / RotaryDim);
        switch (ScalingType)
        {
            case "default":
                break;
            case "linear":
                for (int i = 0; i < inv.Length; i++) inv[i] = (float)(inv[i] / Factor);
                break;
            case "llama3":
                RescaleLlama3(inv);
                break;
            default:
                throw new NotSupportedException($"rope_scaling type '{ScalingType}' is not supported; supported: {string.Join(", ", SupportedScalingTypes)}.");
        }
        return inv;
    }

    // Llama 3.1: long wavelengths are slowed by Factor, short ones kept, the band between interpolated.
    private void RescaleLlama3(float[] inv)
    {
        double lowFreqWavelength = OriginalMaxPositions / LowFreqFactor;
        double highFreqWavelength = OriginalMaxPositions / HighFreqFactor;
        for (int i = 0; i < inv.Length; i++)
        {
            double wavelength = 2 * Math.PI / inv[i];
            if (wavelength > lowFreqWavelength)
            {
                inv[i] = (float)(inv[i] / Factor);
            }
            else if (wavelength >= highFreqWavelength)
            {
                double smooth = (OriginalMaxPositions / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                inv[i] = (float)((1 - smooth) * inv[i] / Factor + smooth * inv[i]);
            }
        }
    }
}
