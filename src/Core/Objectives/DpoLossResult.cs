using TorchSharp;

namespace XRight.Objectives;

/// <summary>The output of <see cref="DpoLoss.Compute"/>.</summary>
/// <param name="Loss">Scalar loss, the mean over pairs; carries the graph to the policy log-probs.</param>
/// <param name="ChosenRewards">Per pair <c>β·(log π(y_w|x) − log π_ref(y_w|x))</c>, detached.</param>
/// <param name="RejectedRewards">Per pair <c>β·(log π(y_l|x) − log π_ref(y_l|x))</c>, detached.</param>
/// <param name="PolicyChosenLogps">Per pair summed policy log-prob of the chosen response, detached.</param>
/// <param name="PolicyRejectedLogps">Per pair summed policy log-prob of the rejected response, detached.</param>
public sealed record DpoLossResult(
    torch.Tensor Loss,
    torch.Tensor ChosenRewards,
    torch.Tensor RejectedRewards,
    torch.Tensor PolicyChosenLogps,
    torch.Tensor PolicyRejectedLogps);
