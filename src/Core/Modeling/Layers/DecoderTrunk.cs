using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Modeling.Layers;

/// <summary>
/// The module under a causal LM's output head (<c>gpt_neox</c>, <c>model</c>): token embedding, the
/// decoder layers, a final norm; it returns the final hidden states [B, T, hidden].
/// </summary>
internal abstract class DecoderTrunk(string name) : nn.Module(name)
{
    /// <summary>The token embedding, which a tied output head reuses.</summary>
    public abstract TokenEmbedding Embedding { get; }

    /// <summary>
    /// Recompute each layer's activations in the backward pass instead of keeping them (see
    /// <see cref="LayerCheckpoint"/>). Applies only where a graph is recorded and no KV cache is used.
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>True when the configuration or the LoRA adapters have dropout, which the recomputation must replay while training.</summary>
    public bool HasDropout { get; set; }

    public abstract Tensor Forward(Tensor inputIds, ForwardContext ctx);

    /// <summary>Runs <paramref name="h"/> through the layers in order, checkpointing each when <see cref="GradientCheckpointing"/> applies.</summary>
    protected Tensor RunLayers<TLayer>(Tensor h, IList<TLayer> layers, ForwardContext ctx) where TLayer : DecoderLayer
    {
        bool checkpoint = GradientCheckpointing && ctx.Cache is null && is_grad_enabled();
        bool replayDropout = HasDropout && training;
        for (int i = 0; i < layers.Count; i++)
        {
            var next = checkpoint ? LayerCheckpoint.Run(layers[i], h, ctx, i, replayDropout) : layers[i].Forward(h, ctx, i);
            h.Dispose(); // autograd keeps what backward needs; the handle only holds memory during inference
            h = next;
        }
        return h;
    }
}

/// <summary>One decoder layer; <c>layerIndex</c> picks its slot in the KV cache.</summary>
internal abstract class DecoderLayer(string name) : nn.Module(name)
{
    public abstract Tensor Forward(Tensor x, ForwardContext ctx, int layerIndex);
}
