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
