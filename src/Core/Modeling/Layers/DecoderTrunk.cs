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

    public abstract Tensor Forward(Tensor inputIds, ForwardContext ctx);

    /// <summary>Runs <paramref name="h"/> through the layers in order.</summary>
    protected static Tensor RunLayers<TLayer>(Tensor h, IList<TLayer> layers, ForwardContext ctx) where TLayer : DecoderLayer
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var next = layers[i].Forward(h, ctx, i);
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
