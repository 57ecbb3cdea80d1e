using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Objectives;

/// <summary>
/// The preference objective <c>f_DPO</c> and its variants (cDPO, IPO) on summed sequence log-probs.
/// </summary>
/// <remarks>
/// With <c>Δ = (log π(y_w) − log π_ref(y_w)) − (log π(y_l) − log π_ref(y_l))</c> and <c>h = β·Δ</c>, the
/// per-pair loss is <c>−log σ(h)</c> (DPO), <c>−(1−ε) log σ(h) − ε log σ(−h)</c> (cDPO) or
/// <c>(Δ − 1/(2β))²</c> (IPO, which equals <c>(h/β − 1/(2β))²</c>). Half-precision inputs are computed in fp32.
/// </remarks>
public static class DpoLoss
{
    private const string What = "DPO loss";

    /// <summary>Mean loss over the pairs, with the implicit rewards for logging.</summary>
    /// <param name="policyChosen">[pairs] summed log-probs of the chosen responses under the policy (with graph).</param>
    /// <param name="policyRejected">[pairs] summed log-probs of the rejected responses under the policy (with graph).</param>
    /// <param name="referenceChosen">[pairs] the same under the frozen reference (treated as constants).</param>
    /// <param name="referenceRejected">[pairs] the same under the frozen reference (treated as constants).</param>
    /// <param name="options">β, loss type and label smoothing; validated here.</param>
    public static DpoLossResult Compute(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, DpoLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        LossInputs.RequireSameVectors(What,
            (policyChosen, nameof(policyChosen)), (policyRejected, nameof(policyRejected)),
            (referenceChosen, nameof(referenceChosen)), (referenceRejected, nameof(referenceRejected)));
        LossInputs.RequireFloating(What, policyChosen, nameof(policyChosen));
        LossInputs.RequireFloating(What, policyRejected, nameof(policyRejected));
        LossInputs.RequireFloating(What, referenceChosen, nameof(referenceChosen));
        LossInputs.RequireFloating(What, referenceRejected, nameof(referenceRejected));

        using var scope = torch.NewDisposeScope();
        var chosen = LossInputs.Promote(policyChosen);
        var rejected = LossInputs.Promote(policyRejected);
        var chosenLogRatio = chosen - LossInputs.Promote(referenceChosen).detach();
        var rejectedLogRatio = rejected - LossInputs.Promote(referenceRejected).detach();
        var margin = chosenLogRatio - rejectedLogRatio;
        double beta = options.Beta;

        var losses = options.LossType switch
        {
            DpoLossType.Sigmoid when options.LabelSmoothing == 0 => -nn.functional.logsigmoid(margin * beta),
            DpoLossType.Sigmoid => -(1 - options.LabelSmoothing) * nn.functional.logsigmoid(margin * beta)
                                   - options.LabelSmoothing * nn.functional.logsigmoid(margin * -beta),
            DpoLossType.Ipo => (margin - 1 / (2 * beta)).square(),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.LossType, "Unknown DPO loss type."),
        };

        return new DpoLossResult(
            losses.mean().MoveToOuterDisposeScope(),
            (chosenLogRatio * beta).detach().MoveToOuterDisposeScope(),
            (rejectedLogRatio * beta).detach().MoveToOuterDisposeScope(),
            chosen.detach().MoveToOuterDisposeScope(),
            rejected.detach().MoveToOuterDisposeScope());
    }
}
