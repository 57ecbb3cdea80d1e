using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Objectives;

/// <summary>
/// The instruction objective <c>f_SFT</c>: the token-mean negative log-likelihood of the responses,
/// what ignore-index cross-entropy with 'mean' reduction gives over the whole batch.
/// </summary>
public static class SftLoss
{
    private const string What = "SFT loss";

    /// <summary><c>−Σ sumLogProbs / Σ tokenCounts</c>, a scalar carrying the graph of <paramref name="sumLogProbs"/>.</summary>
    /// <param name="sumLogProbs">[rows] summed log-probs of each row's response tokens.</param>
    /// <param name="tokenCounts">[rows] number of response tokens of each row (integer or floating).</param>
    /// <remarks>The batch must hold at least one response token; otherwise the result is NaN, as with cross-entropy.</remarks>
    public static Tensor Compute(Tensor sumLogProbs, Tensor tokenCounts)
    {
        LossInputs.RequireSameVectors(What, (sumLogProbs, nameof(sumLogProbs)), (tokenCounts, nameof(tokenCounts)));
        LossInputs.RequireFloating(What, sumLogProbs, nameof(sumLogProbs));
        using var scope = torch.NewDisposeScope();
        var logProbs = LossInputs.Promote(sumLogProbs);
        var counts = tokenCounts.to_type(logProbs.dtype).detach();
        return (-logProbs.sum() / counts.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>Fraction of response tokens whose argmax prediction is the target: <c>Σ correct / Σ tokens</c>.</summary>
    /// <param name="correctTokenCounts">[rows] response tokens predicted correctly in each row.</param>
    /// <param name="tokenCounts">[rows] response tokens in each row.</param>
    public static Tensor TokenAccuracy(Tensor correctTokenCounts, Tensor tokenCounts)
    {
        LossInputs.RequireSameVectors("SFT token accuracy", (correctTokenCounts, nameof(correctTokenCounts)), (tokenCounts, nameof(tokenCounts)));
        using var scope = torch.NewDisposeScope();
        var correct = correctTokenCounts.to_type(ScalarType.Float32).detach();
        var total = tokenCounts.to_type(ScalarType.Float32).detach();
        return (correct.sum() / total.sum()).MoveToOuterDisposeScope();
    }
}
