using static TorchSharp.torch;
using static TorchSharp.torch.autograd;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling.Layers;

/// <summary>
/// log π(y | h) = (h Wᵀ)[y] − logsumexp(h Wᵀ) for N hidden states h under a frozen output head W [vocab, E],
/// computed over chunks of rows so that at most <see cref="LogitsPerChunk"/> logits exist at once, instead
/// of an [N, vocab] matrix, its float32 copy and its gradient's temporaries (about 590 MiB for 768 tokens of a
/// 50304-word vocabulary).
/// </summary>
/// <remarks>
/// The head being frozen (LoRA, or no gradient recorded), the only gradient is the one to h, and it does not
/// need the logits again: ∂ log π(y | h) / ∂h = (onehot(y) − softmax(h Wᵀ)) W, one [E] row per token, is
/// computed while each chunk's softmax is at hand and kept ([N, E] instead of [N, vocab]); the backward pass
/// scales each row by its incoming gradient. The arithmetic per chunk is the plain path's (the product in the
/// weights' type, the softmax in float32), so the values agree with it to rounding.
/// </remarks>
internal sealed class FrozenHeadLogProbs : SingleTensorFunction<FrozenHeadLogProbs>
{
    /// <summary>Logits per chunk: 2²³, 32 MiB in float32.</summary>
    public const long LogitsPerChunk = 1L << 23;

    public override string Name => nameof(FrozenHeadLogProbs);

    /// <summary>Rows per chunk for a vocabulary of <paramref name="vocab"/> words.</summary>
    public static long RowsPerChunk(long vocab) => Math.Max(1, LogitsPerChunk / vocab);

    /// <summary>
    /// [N] log-probabilities of <paramref name="targets"/> [N] in <paramref name="scoreType"/> (differentiable with
    /// respect to <paramref name="hidden"/> [N, E]) and [N] int64: 1 where the target is the largest logit.
    /// </summary>
    public static (Tensor LogProbs, Tensor Correct) Compute(Tensor hidden, Tensor weight, Tensor targets, ScalarType scoreType) =>
        Compute(hidden, weight, targets, scoreType, RowsPerChunk(weight.shape[0]));

    /// <summary><see cref="Compute(Tensor, Tensor, Tensor, ScalarType)"/> with <paramref name="rowsPerChunk"/> rows per chunk.</summary>
    internal static (Tensor LogProbs, Tensor Correct) Compute(Tensor hidden, Tensor weight, Tensor targets, ScalarType scoreType, long rowsPerChunk)
    {
        if (weight.requires_grad && is_grad_enabled())
            throw new InvalidOperationException("The output head trains: its gradient needs the logits, which this scoring does not keep.");
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerChunk, 1);
        if (!(hidden.requires_grad && is_grad_enabled())) return Score(hidden, weight, targets, scoreType, rowsPerChunk, hiddenGradient: null);
        var plan = new Plan(weight, targets, scoreType, rowsPerChunk);
        var logProbs = apply(plan, hidden);
        return (logProbs, plan.Correct!);
    }

    private static (Tensor LogProbs, Tensor Correct) Score(Tensor hidden, Tensor weight, Tensor targets, ScalarType scoreType, long step, Tensor? hiddenGradient)
    {
        long n = hidden.shape[0];
        var logProbs = empty(n, scoreType, hidden.device);
        var correct = empty(n, ScalarType.Int64, hidden.device);
        for (long start = 0; start < n; start += step)
        {
            using var scope = NewDisposeScope();
            long rows = Math.Min(step, n - start);
            var target = targets.narrow(0, start, rows).unsqueeze(1);
            var logits = F.linear(hidden.narrow(0, start, rows), weight).to(scoreType);
            var logSumExp = logits.logsumexp(1, keepdim: true);
            logProbs.narrow(0, start, rows).copy_((logits.gather(1, target) - logSumExp).squeeze(1));
            correct.narrow(0, start, rows).copy_(logits.argmax(1).eq(target.squeeze(1)));
            if (hiddenGradient is null) continue;
            // onehot(y) − softmax, in place over the chunk's logits, then through the head.
            var residual = logits.sub_(logSumExp).exp_().neg_().scatter_add_(1, target, ones([rows, 1], scoreType, hidden.device));
            hiddenGradient.narrow(0, start, rows).copy_(residual.to(weight.dtype).mm(weight));
        }
        return (logProbs, correct);
    }

    // Runs with autograd off (the base class sees to it).
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var plan = (Plan)vars[0];
        var hidden = (Tensor)vars[1];
        var gradient = empty(hidden.shape, plan.ScoreType, hidden.device);
        var (logProbs, correct) = Score(hidden, plan.Weight, plan.Targets, plan.ScoreType, plan.RowsPerChunk, gradient);
        plan.Correct = correct;
        ctx.save_for_backward([gradient]);
        ctx.save_data("type", hidden.dtype);
        return logProbs;
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var gradient = ctx.get_saved_variables()[0];
        var hiddenType = (ScalarType)ctx.get_data("type");
        return [null!, (gradOutput.unsqueeze(1) * gradient).to(hiddenType)];
    }

    /// <summary>The non-tensor inputs, and the greedy-correct flags the forward leaves for the caller.</summary>
    private sealed class Plan(Tensor weight, Tensor targets, ScalarType scoreType, long rowsPerChunk)
    {
        public long RowsPerChunk { get; } = rowsPerChunk;
        public Tensor Weight { get; } = weight;
        public Tensor Targets { get; } = targets;
        public ScalarType ScoreType { get; } = scoreType;
        public Tensor? Correct { get; set; }
    }
}
