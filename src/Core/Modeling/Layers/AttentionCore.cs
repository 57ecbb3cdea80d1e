using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling.Layers;

/// <summary>
/// The part of self-attention every family shares: rotary embedding (where the model has one), the KV
/// cache, grouped-query expansion and scaled dot-product attention with softmax(QKᵀ/√d).
/// </summary>
internal static class AttentionCore
{
    /// <summary>
    /// Attends queries <paramref name="q"/> [B, H, T, D] to keys and values [B, KVH, T, D] (plus the
    /// cached positions) and returns [B, T, H·D]. The queries are not yet scaled: SDPA divides by √D.
    /// </summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, int layerIndex, ForwardContext ctx, double dropout)
    {
        using var scope = NewDisposeScope();
        if (ctx.Rotary is { } rotary)
        {
            q = rotary.Apply(q, ctx.Cos!, ctx.Sin!);
            k = rotary.Apply(k, ctx.Cos!, ctx.Sin!);
        }
        if (ctx.Cache is { } cache) (k, v) = cache.Append(layerIndex, k, v);
        long groups = q.shape[1] / k.shape[1];
        if (groups > 1)
        {
            k = RepeatKeyValueHeads(k, groups);
            v = RepeatKeyValueHeads(v, groups);
        }
        var attended = F.scaled_dot_product_attention(q, k, v, ctx.Mask, dropout, ctx.IsCausal);
        long batch = q.shape[0], length = q.shape[2];
        return attended.transpose(1, 2).reshape(batch, length, -1).MoveToOuterDisposeScope();
    }

    // [B, KVH, S, D] -> [B, KVH·groups, S, D]: query head h reads key/value head h / groups.
    private static Tensor RepeatKeyValueHeads(Tensor x, long groups)
    {
        long b = x.shape[0], heads = x.shape[1], s = x.shape[2], d = x.shape[3];
        return x.unsqueeze(2).expand(b, heads, groups, s, d).reshape(b, heads * groups, s, d);
    }
}
