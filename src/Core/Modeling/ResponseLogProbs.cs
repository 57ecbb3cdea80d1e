using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling;

/// <summary>
/// Per row of a <see cref="CausalLmBatch"/>: log π(response | prompt) as the SUM of the response
/// tokens' log-probabilities, how many response tokens there are, and how many of them the model
/// ranks first. Computed in float32 (float64 for a float64 model) from one forward pass; the
/// tensors carry gradients when the model's parameters require them.
/// </summary>
public sealed class ResponseLogProbs : IDisposable
{
    private ResponseLogProbs(Tensor sumLogProbs, Tensor tokenCounts, Tensor correctTokens)
    {
        SumLogProbs = sumLogProbs;
        TokenCounts = tokenCounts;
        CorrectTokens = correctTokens;
    }

    /// <summary>[B] float32: Σ over response tokens y_t of log π(y_t | prompt, y_&lt;t).</summary>
    public Tensor SumLogProbs { get; }

    /// <summary>[B] int64: response tokens per row.</summary>
    public Tensor TokenCounts { get; }

    /// <summary>[B] int64: response tokens whose logit is the largest (greedy-correct), for token accuracy.</summary>
    public Tensor CorrectTokens { get; }

    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="batch"/> and scores the response tokens: the
    /// logits at position t predict the token at t + 1. Only the positions that predict a response
    /// token go through the output head, and their log-probabilities are a gather minus a
    /// logsumexp, so no [B, T, vocab] log-softmax is ever materialised. When the head does not train
    /// (LoRA, or no gradient recorded) the scored positions go through it in chunks and no [tokens, vocab]
    /// logits are kept either (<see cref="FrozenHeadLogProbs"/>).
    /// </summary>
    public static ResponseLogProbs Compute(CausalLm model, CausalLmBatch batch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        long sequences = batch.BatchSize, length = batch.Length, rows = batch.Plan.RowCount;
        var hidden = batch.IsPacked ? model.ForwardHiddenPacked(batch) : model.ForwardHiddenRightPadded(batch);
        var device = hidden.device;

        // The target positions come from the host, so finding them costs no device read.
        var plan = batch.Plan;
        var picked = Indices(plan.PredictorPositions, device);
        var targets = Indices(plan.TargetIds, device);
        var rowOf = Indices(plan.TargetRows, device);
        var predictors = hidden.reshape(sequences * length, -1).index_select(0, picked);

        var (tokenLogProbs, correct) = model.ScoreTargets(predictors, targets);
        var scoreType = tokenLogProbs.dtype;

        var sums = zeros(rows, scoreType, device).index_add(0, rowOf, tokenLogProbs, 1);
        var correctCounts = zeros(rows, ScalarType.Int64, device).index_add(0, rowOf, correct, 1);
        var counts = Indices(plan.ResponseLengths, device);
        return new ResponseLogProbs(sums.MoveToOuterDisposeScope(), counts.MoveToOuterDisposeScope(), correctCounts.MoveToOuterDisposeScope());
    }

    private static Tensor Indices(long[] values, Device device) => tensor(values, [values.Length], ScalarType.Int64, device);

    /// <summary>Frees the three tensors.</summary>
    public void Dispose()
    {
        SumLogProbs.Dispose();
        TokenCounts.Dispose();
        CorrectTokens.Dispose();
    }
}
