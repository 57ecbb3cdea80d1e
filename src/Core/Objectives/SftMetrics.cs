using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Objectives;

/// <summary>Logged SFT values of one batch, under the names TRL uses.</summary>
/// <param name="Loss">Token-mean negative log-likelihood.</param>
/// <param name="MeanTokenAccuracy">Fraction of response tokens predicted correctly (argmax).</param>
public sealed record SftMetrics(double Loss, double MeanTokenAccuracy)
{
    /// <summary>Reads both scalars from the device in one transfer.</summary>
    /// <param name="loss">Scalar from <see cref="SftLoss.Compute"/>.</param>
    /// <param name="tokenAccuracy">Scalar from <see cref="SftLoss.TokenAccuracy"/>.</param>
    public static SftMetrics From(Tensor loss, Tensor tokenAccuracy)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(tokenAccuracy);
        return FromValues(MetricTransfer.Read(loss, tokenAccuracy));
    }

    /// <summary>The record from values read in the order loss, token accuracy.</summary>
    internal static SftMetrics FromValues(IReadOnlyList<double> v) => new(v[0], v[1]);

    /// <summary>The values keyed as TRL logs them: <c>loss</c>, <c>mean_token_accuracy</c>.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["loss"] = Loss,
        ["mean_token_accuracy"] = MeanTokenAccuracy,
    };
}
