using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace XRight.Modeling.Layers;

/// <summary>
/// y = x Wᵀ + b for a pass whose value of y nobody reads, only its gradients: the forward returns zeros of
/// y's shape without multiplying, and the backward computes ∂x = g W, ∂W = gᵀ x and ∂b = Σ g exactly as the
/// plain linear layer's backward does (the same matrix products on the same operands).
/// </summary>
/// <remarks>
/// A checkpointed layer's recomputation (<see cref="LayerCheckpoint"/>) exists only to rebuild the graph for
/// the backward pass. The last projection of a residual branch — GPT-NeoX's <c>dense</c> and
/// <c>dense_4h_to_h</c> with the parallel residual, Llama's <c>down_proj</c>, pre-LN OPT's <c>fc2</c> —
/// feeds only sums and dropouts whose backward needs no values, so its product can be skipped there: about
/// 40 % of a parallel-residual layer's multiply work. The recomputed layer's output value is then wrong,
/// which is why only the recomputation (<see cref="ForwardContext.Recomputing"/>) may use this.
/// </remarks>
internal sealed class GradientOnlyLinear : SingleTensorFunction<GradientOnlyLinear>
{
    public override string Name => nameof(GradientOnlyLinear);

    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias)
    {
        bool needed = is_grad_enabled() && (x.requires_grad || weight.requires_grad || bias?.requires_grad == true);
        if (!needed) return Zeros(x, weight);
        return bias is null ? apply(x, weight) : apply(x, weight, bias);
    }

    private static Tensor Zeros(Tensor x, Tensor weight) => zeros([.. x.shape[..^1], weight.shape[0]], x.dtype, x.device);

    // Runs with autograd off (the base class sees to it). Like the plain layer's backward, it keeps x only for
    // ∂W and W only for ∂x.
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        bool biasNeeded = vars.Length > 2 && ((Tensor)vars[2]).requires_grad;
        ctx.save_for_backward([weight.requires_grad ? x : null!, x.requires_grad ? weight : null!]);
        ctx.save_data("plan", new Plan(x.shape, weight.shape[0], weight.shape[1], x.requires_grad, weight.requires_grad, biasNeeded));
        return Zeros(x, weight);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var plan = (Plan)ctx.get_data("plan");
        var saved = ctx.get_saved_variables();
        var g = gradOutput.reshape(-1, plan.OutFeatures);
        return
        [
            plan.InputNeeded ? g.mm(saved[1]).view(plan.InputShape) : null!,
            plan.WeightNeeded ? g.t().mm(saved[0].reshape(-1, plan.InFeatures)) : null!,
            plan.BiasNeeded ? g.sum(0L) : null!,
        ];
    }

    private sealed record Plan(long[] InputShape, long OutFeatures, long InFeatures, bool InputNeeded, bool WeightNeeded, bool BiasNeeded);
}
