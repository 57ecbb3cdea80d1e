using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace XRight.Modeling.Layers;

/// <summary>
/// Gradient checkpointing of one decoder layer: a custom autograd function whose forward runs the
/// layer without recording a graph and keeps only the layer's input (plus the shared rotary angles and
/// mask, and the random-number state when dropout is on); its backward runs the layer again with
/// autograd on, from the same input and the same random state, and back-propagates the incoming
/// gradient through that fresh graph. Activations inside the layer therefore live only while that
/// layer's backward runs, at the cost of a second forward per layer — less the projections whose output
/// only feeds the residual sum, which the recomputation skips (<see cref="ForwardContext.Recomputing"/>,
/// <see cref="GradientOnlyLinear"/>).
/// </summary>
/// <remarks>
/// The layer's trainable parameters are passed to the function as inputs beside the hidden states, and
/// their gradients are returned from its backward, so the autograd engine accumulates them as it would
/// for the plain layer. That is what keeps LoRA training with frozen embeddings working: the hidden
/// states entering the first layer then do not require gradients, and a function with only that input
/// would not be part of the graph at all (the trap of PyTorch's reentrant checkpoint); with the
/// parameters among the inputs it is. The recomputation repeats the forward's arithmetic on the same
/// values, so the gradients equal the plain ones (bit for bit on the CPU, tested).
/// </remarks>
internal sealed class LayerCheckpoint : SingleTensorFunction<LayerCheckpoint>
{
    public override string Name => nameof(LayerCheckpoint);

    /// <summary>
    /// Runs <paramref name="layer"/> on <paramref name="x"/> under checkpointing. The context must have
    /// no KV cache (the recomputation would append to it twice). <paramref name="preserveRandomState"/>:
    /// dropout is active, so the recomputation must draw the same masks.
    /// </summary>
    public static Tensor Run(DecoderLayer layer, Tensor x, ForwardContext ctx, int layerIndex, bool preserveRandomState)
    {
        if (ctx.Cache is not null) throw new InvalidOperationException("Gradient checkpointing cannot run a layer that appends to a KV cache.");
        var parameters = layer.parameters().Where(p => p.requires_grad).ToArray();
        // Nothing to differentiate: no graph would be kept anyway.
        if (!x.requires_grad && parameters.Length == 0) return layer.Forward(x, ctx, layerIndex);
        if (preserveRandomState && x.device_type != DeviceType.CPU)
            throw new NotSupportedException(
                $"Gradient checkpointing with dropout is implemented on the CPU only: the recomputation must replay the dropout masks, and the random state of {x.device} cannot be saved and restored here. Set the model's dropout to 0 or turn gradient checkpointing off.");
        ReleaseHandedOver();
        var args = new object[2 + parameters.Length];
        args[0] = new Plan(layer, ctx, layerIndex, preserveRandomState, x.requires_grad, parameters);
        args[1] = x;
        for (int i = 0; i < parameters.Length; i++) args[2 + i] = parameters[i];
        return apply(args);
    }

    // Runs with autograd off (the base class sees to it).
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var plan = (Plan)vars[0];
        var x = (Tensor)vars[1];
        var shared = plan.Context;
        Tensor? randomState = plan.PreserveRandomState ? torch.get_rng_state() : null;
        var output = plan.Layer.Forward(x, shared, plan.LayerIndex);
        // The context's tensors belong to the caller's dispose scope, which ends before the backward pass:
        // saved here, autograd keeps them alive until then.
        ctx.save_for_backward([x, shared.Positions, shared.Cos!, shared.Sin!, shared.Mask!, randomState!]);
        ctx.save_data("plan", plan);
        return output;
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var plan = (Plan)ctx.get_data("plan");
        ReleaseHandedOver();
        var results = new Tensor?[2 + plan.Parameters.Length];
        using (var scope = NewDisposeScope())
        using (torch.enable_grad())
        {
            // Handles made in this scope, so that nothing here keeps a layer's input alive after its backward.
            var saved = ctx.get_saved_variables();
            var input = saved[0].detach().requires_grad_(plan.InputRequiresGrad);
            var shared = plan.Context.ForRecomputation(saved[1], saved[2], saved[3], saved[4]);
            var randomState = saved[5];
            Tensor output;
            if (randomState is null)
            {
                output = plan.Layer.Forward(input, shared, plan.LayerIndex);
            }
            else
            {
                // Replay the forward's dropout masks, then give the caller its own random stream back.
                var outer = torch.get_rng_state();
                torch.set_rng_state(randomState);
                try { output = plan.Layer.Forward(input, shared, plan.LayerIndex); }
                finally { torch.set_rng_state(outer); }
            }
            var inputs = new List<Tensor>(plan.Parameters.Length + 1);
            if (plan.InputRequiresGrad) inputs.Add(input);
            inputs.AddRange(plan.Parameters);
            var grads = torch.autograd.grad([output], inputs, [gradOutput], allow_unused: true);
            int next = 0;
            if (plan.InputRequiresGrad) results[1] = Defined(grads[next++]);
            for (int i = 0; i < plan.Parameters.Length; i++) results[2 + i] = Defined(grads[next++]);
            // The engine reads the returned gradients after this method returns, so they outlive it; they
            // are released at the next checkpointed call rather than by whatever dispose scope surrounds
            // backward(), which would hold every layer's gradients until the end of the step.
            HandOver(results);
            gradOutput.Dispose();
        }
        return results.Select(t => t!).ToList(); // null: no gradient for that input
    }

    private static readonly object HandedOverLock = new();
    private static List<Tensor> _handedOver = [];

    private static void HandOver(Tensor?[] gradients)
    {
        var now = gradients.OfType<Tensor>().Select(g => g.DetachFromDisposeScope()).ToList();
        List<Tensor> previous;
        lock (HandedOverLock) (previous, _handedOver) = (_handedOver, now);
        foreach (var g in previous) g.Dispose();
    }

    private static void ReleaseHandedOver()
    {
        List<Tensor> previous;
        lock (HandedOverLock) (previous, _handedOver) = (_handedOver, []);
        foreach (var g in previous) g.Dispose();
    }

    private static Tensor? Defined(Tensor? t) => t is null || t.IsInvalid ? null : t;

    /// <summary>What the backward pass needs besides the saved tensors.</summary>
    private sealed record Plan(DecoderLayer Layer, ForwardContext Context, int LayerIndex, bool PreserveRandomState, bool InputRequiresGrad, Parameter[] Parameters);
}
