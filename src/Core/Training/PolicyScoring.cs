using TorchSharp;
using XRight.Modeling;
using XRight.Objectives;
using XRight.Training.Reference;
using static TorchSharp.torch;

namespace XRight.Training;

/// <summary>
/// The batch objectives of a policy: SFT on instruction rows, DPO on preference rows (chosen and
/// rejected through one forward pass, reference log-probs from the cache), and held-out evaluation.
/// </summary>
internal sealed class PolicyScoring(CausalLm model, DpoLossOptions dpo, int padId, bool packSft = false)
{
    public CausalLm Model => model;

    /// <summary>
    /// f_SFT of a batch (token-mean NLL), with a graph when gradients are enabled, and its metrics in the
    /// order of <see cref="SftMetrics"/>.
    /// </summary>
    public ScoredBatch ScoreSft(IReadOnlyList<TokenizedInstruction> rows)
    {
        using var scope = NewDisposeScope();
        var pairs = rows.Select(r => (r.Prompt, r.Response)).ToArray();
        var masks = rows.Select(r => r.LossMask).ToArray();
        using var batch = packSft ? CausalLmBatch.CollatePacked(pairs, padId, model.Device, masks) : CausalLmBatch.Collate(pairs, padId, model.Device, masks);
        using var scores = ResponseLogProbs.Compute(model, batch);
        var loss = SftLoss.Compute(scores.SumLogProbs, scores.TokenCounts);
        var metrics = MetricTransfer.Stack(loss, SftLoss.TokenAccuracy(scores.CorrectTokens, scores.TokenCounts));
        return new ScoredBatch(loss.MoveToOuterDisposeScope(), metrics.MoveToOuterDisposeScope());
    }

    /// <summary>f_DPO of a batch of pairs, with its metrics in the order of <see cref="DpoMetrics"/>.</summary>
    public ScoredBatch ScoreDpo(IReadOnlyList<TokenizedPreference> rows, ReferenceLogProbCache reference)
    {
        using var scope = NewDisposeScope();
        var result = DpoLossOf(rows, reference);
        var metrics = MetricTransfer.Stack(DpoMetrics.Scalars(result));
        return new ScoredBatch(result.Loss.MoveToOuterDisposeScope(), metrics.MoveToOuterDisposeScope());
    }

    /// <summary>f_DPO of a batch of pairs against the cached reference log-probs.</summary>
    public DpoLossResult DpoLossOf(IReadOnlyList<TokenizedPreference> rows, ReferenceLogProbCache reference)
    {
        using var scope = NewDisposeScope();
        var (chosen, rejected) = PairLogProbs(rows);
        var referenceValues = rows.Select(reference.Get).ToArray();
        var referenceChosen = tensor(referenceValues.Select(v => (float)v.Chosen).ToArray(), device: model.Device);
        var referenceRejected = tensor(referenceValues.Select(v => (float)v.Rejected).ToArray(), device: model.Device);
        var result = DpoLoss.Compute(chosen, rejected, referenceChosen, referenceRejected, dpo);
        return new DpoLossResult(result.Loss.MoveToOuterDisposeScope(), result.ChosenRewards.MoveToOuterDisposeScope(),
            result.RejectedRewards.MoveToOuterDisposeScope(), result.PolicyChosenLogps.MoveToOuterDisposeScope(),
            result.PolicyRejectedLogps.MoveToOuterDisposeScope());
    }

    /// <summary>Summed log-probs [pairs] of the chosen and of the rejected responses, from one forward pass.</summary>
    public (Tensor Chosen, Tensor Rejected) PairLogProbs(IReadOnlyList<TokenizedPreference> rows)
    {
        using var scope = NewDisposeScope();
        var sequences = rows.Select(r => (r.Prompt, r.Chosen)).Concat(rows.Select(r => (r.Prompt, r.Rejected))).ToArray();
        using var batch = CausalLmBatch.Collate(sequences, padId, model.Device);
        using var scores = ResponseLogProbs.Compute(model, batch);
        var sums = scores.SumLogProbs;
        return (sums.narrow(0, 0, rows.Count).MoveToOuterDisposeScope(), sums.narrow(0, rows.Count, rows.Count).MoveToOuterDisposeScope());
    }

    /// <summary>Fills the cache with this model's log-probs of every row not in it yet (evaluation mode, no graph).</summary>
    public void FillReferenceCache(ReferenceLogProbCache cache, IEnumerable<TokenizedPreference> rows, int batchSize)
    {
        var missing = cache.Missing(rows);
        using var mode = new EvaluationMode(model);
        using var noGrad = no_grad();
        foreach (var chunk in missing.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var (chosen, rejected) = PairLogProbs(chunk);
            var c = chosen.to(ScalarType.Float64).cpu().data<double>().ToArray();
            var r = rejected.to(ScalarType.Float64).cpu().data<double>().ToArray();
            for (int i = 0; i < chunk.Length; i++) cache.Set(chunk[i], c[i], r[i]);
        }
    }

    /// <summary>The held-out objectives and metrics (evaluation mode, no graph).</summary>
    public HeldOutMetrics Evaluate(IReadOnlyList<TokenizedInstruction> instructions, IReadOnlyList<TokenizedPreference> preferences,
        ReferenceLogProbCache? reference, int batchSize)
    {
        using var mode = new EvaluationMode(model);
        using var noGrad = no_grad();
        double logProbSum = 0, tokens = 0, correct = 0;
        foreach (var chunk in instructions.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            using var batch = CausalLmBatch.Collate(chunk.Select(r => (r.Prompt, r.Response)).ToArray(), padId, model.Device, chunk.Select(r => r.LossMask).ToArray());
            using var scores = ResponseLogProbs.Compute(model, batch);
            var totals = stack([scores.SumLogProbs.sum().to(ScalarType.Float64), scores.TokenCounts.sum().to(ScalarType.Float64),
                scores.CorrectTokens.sum().to(ScalarType.Float64)]).cpu().data<double>().ToArray();
            logProbSum += totals[0]; tokens += totals[1]; correct += totals[2];
        }
        double lossSum = 0, accurate = 0, margin = 0, chosenReward = 0, rejectedReward = 0;
        if (preferences.Count > 0 && reference is null)
            throw new InvalidOperationException("Evaluating f_DPO needs the reference log-probabilities.");
        foreach (var chunk in preferences.Chunk(batchSize))
        {
            // The chunk's means, as a training step logs them, weighted by its pairs.
            using var scope = NewDisposeScope();
            using var scored = ScoreDpo(chunk, reference!);
            var m = DpoMetrics.FromValues(scored.Metrics.cpu().data<double>().ToArray());
            lossSum += m.Loss * chunk.Length; accurate += m.RewardsAccuracies * chunk.Length; margin += m.RewardsMargins * chunk.Length;
            chosenReward += m.RewardsChosen * chunk.Length; rejectedReward += m.RewardsRejected * chunk.Length;
        }
        int pairs = preferences.Count;
        return new HeldOutMetrics(
            tokens > 0 ? -logProbSum / tokens : double.NaN,
            pairs > 0 ? lossSum / pairs : double.NaN,
            tokens > 0 ? correct / tokens : double.NaN,
            pairs > 0 ? accurate / pairs : double.NaN,
            pairs > 0 ? margin / pairs : double.NaN,
            pairs > 0 ? chosenReward / pairs : double.NaN,
            pairs > 0 ? rejectedReward / pairs : double.NaN,
            instructions.Count, pairs);
    }

    /// <summary>Puts the model in evaluation mode (dropout off) and restores training mode on dispose.</summary>
    private sealed class EvaluationMode : IDisposable
    {
        private readonly CausalLm _model;
        private readonly bool _wasTraining;

        public EvaluationMode(CausalLm model)
        {
            _model = model;
            _wasTraining = model.training;
            model.eval();
        }

        public void Dispose()
        {
            if (_wasTraining) _model.train();
        }
    }
}
