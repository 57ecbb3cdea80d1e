using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Objectives;

/// <summary>Logged DPO values of one batch of pairs (means over the pairs), under the names TRL uses.</summary>
/// <param name="Loss">The batch loss.</param>
/// <param name="RewardsChosen">Mean implicit reward of the chosen responses, <c>β·(log π − log π_ref)</c>.</param>
/// <param name="RewardsRejected">Mean implicit reward of the rejected responses.</param>
/// <param name="RewardsMargins">Mean of chosen minus rejected reward.</param>
/// <param name="RewardsAccuracies">Fraction of pairs whose chosen reward is strictly larger.</param>
/// <param name="LogpsChosen">Mean summed policy log-prob of the chosen responses.</param>
/// <param name="LogpsRejected">Mean summed policy log-prob of the rejected responses.</param>
public sealed record DpoMetrics(
    double Loss,
    double RewardsChosen,
    double RewardsRejected,
    double RewardsMargins,
    double RewardsAccuracies,
    double LogpsChosen,
    double LogpsRejected)
{
    /// <summary>Reduces a loss result and reads all seven values from the device in one transfer.</summary>
    public static DpoMetrics From(DpoLossResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var scope = torch.NewDisposeScope();
        return FromValues(MetricTransfer.Read(Scalars(result)));
    }

    /// <summary>The seven values as scalar tensors on the device, in the order of the record's parameters.</summary>
    internal static Tensor[] Scalars(DpoLossResult result) =>
    [
        result.Loss,
        result.ChosenRewards.mean(),
        result.RejectedRewards.mean(),
        (result.ChosenRewards - result.RejectedRewards).mean(),
        result.ChosenRewards.gt(result.RejectedRewards).to_type(ScalarType.Float64).mean(),
        result.PolicyChosenLogps.mean(),
        result.PolicyRejectedLogps.mean(),
    ];

    /// <summary>The record from values read in the order of <see cref="Scalars"/>.</summary>
    internal static DpoMetrics FromValues(IReadOnlyList<double> v) => new(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);

    /// <summary>
    /// The values keyed as TRL logs them: <c>loss</c>, <c>rewards/chosen</c>, <c>rewards/rejected</c>,
    /// <c>rewards/margins</c>, <c>rewards/accuracies</c>, <c>logps/chosen</c>, <c>logps/rejected</c>.
    /// </summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["loss"] = Loss,
        ["rewards/chosen"] = RewardsChosen,
        ["rewards/rejected"] = RewardsRejected,
        ["rewards/margins"] = RewardsMargins,
        ["rewards/accuracies"] = RewardsAccuracies,
        ["logps/chosen"] = LogpsChosen,
        ["logps/rejected"] = LogpsRejected,
    };
}
