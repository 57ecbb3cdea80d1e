using static TorchSharp.torch;

namespace XRight.Modeling.Layers;

/// <summary>
/// What every layer of one forward pass shares: the positions of the new tokens and their rotary
/// angles, the attention mask (or the fact that plain causal attention suffices) and the KV cache.
/// Its tensors belong to the caller's dispose scope.
/// </summary>
internal sealed class ForwardContext
{
    private ForwardContext(Tensor positions, RotaryEmbedding? rotary, Tensor? cos, Tensor? sin, Tensor? mask, bool isCausal, KvCache? cache, bool recomputing = false)
    {
        Recomputing = recomputing;
        Positions = positions;
        Rotary = rotary;
        Cos = cos;
        Sin = sin;
        Mask = mask;
        IsCausal = isCausal;
        Cache = cache;
    }

    /// <summary>
    /// [B, T] int64: the position of each new token, counting real tokens only (a padding position gets
    /// some position below the row's real-token count; nothing real reads it).
    /// </summary>
    public Tensor Positions { get; }

    /// <summary>The rotary embedding, or null for a model that encodes positions otherwise.</summary>
    public RotaryEmbedding? Rotary { get; }

    /// <summary>cos of the rotary angles of <see cref="Positions"/>; null without rotary.</summary>
    public Tensor? Cos { get; }

    /// <summary>sin of the rotary angles of <see cref="Positions"/>; null without rotary.</summary>
    public Tensor? Sin { get; }

    /// <summary>Boolean [B, 1, T, S]: true where query t may attend to key s. Null when <see cref="IsCausal"/> or no masking is needed.</summary>
    public Tensor? Mask { get; }

    /// <summary>True when plain causal attention over the new positions is exact (no cache, no padding).</summary>
    public bool IsCausal { get; }

    public KvCache? Cache { get; }

    /// <summary>
    /// True in a checkpointed layer's recomputation (<see cref="LayerCheckpoint"/>), which rebuilds the layer's
    /// graph for its backward pass and never reads the layer's output value: a layer may then skip the product
    /// of a projection whose output only feeds its residual sum (<see cref="GradientOnlyLinear"/>).
    /// </summary>
    public bool Recomputing { get; }

    /// <summary>The context of a checkpointed layer's recomputation, with other handles to the same tensors (kept alive by the checkpoint).</summary>
    internal ForwardContext ForRecomputation(Tensor positions, Tensor? cos, Tensor? sin, Tensor? mask) =>
        new(positions, Rotary, cos, sin, mask, IsCausal, Cache, recomputing: true);

    /// <summary>
    /// The context of a packed batch (several rows per sequence, no cache): <paramref name="positions"/> [B, T]
    /// restart at 0 for every row, and query t may attend to key s when s ≤ t and both belong to the same row of
    /// <paramref name="segments"/> [B, T] (padding shares segment −1, so every query sees at least itself).
    /// </summary>
    public static ForwardContext CreatePacked(Tensor inputIds, Tensor positions, Tensor segments, RotaryEmbedding? rotary, ScalarType dtype, int? slidingWindow)
    {
        long length = inputIds.shape[1];
        if (slidingWindow is { } window && length > window)
            throw new NotSupportedException($"This model uses sliding-window attention of {window} positions, which is not implemented; sequences are limited to {window} positions (got {length}).");
        Tensor? cos = null, sin = null;
        if (rotary is not null) (cos, sin) = rotary.Angles(positions, dtype);
        var index = arange(0, length, ScalarType.Int64, inputIds.device);
        var causal = index.unsqueeze(0).le(index.unsqueeze(1)); // [query, key]: key ≤ query
        var allowed = segments.unsqueeze(2).eq(segments.unsqueeze(1)).logical_and(causal.unsqueeze(0));
        return new ForwardContext(positions, rotary, cos, sin, allowed.unsqueeze(1), isCausal: false, cache: null);
    }

    /// <summary>
    /// Builds the context for <paramref name="inputIds"/> [B, T] after <c>cache.Length</c> cached
    /// positions. <paramref name="attentionMask"/> [B, cached + T] marks real tokens with 1 and padding
    /// with 0; positions count real tokens only, so left-padded rows get the same positions as unpadded ones.
    /// <paramref name="rotary"/> is null for a model without rotary embedding.
    /// </summary>
    public static ForwardContext Create(Tensor inputIds, Tensor? attentionMask, KvCache? cache, RotaryEmbedding? rotary, ScalarType dtype, int? slidingWindow)
    {
        long batch = inputIds.shape[0], newLength = inputIds.shape[1];
        long past = cache?.Length ?? 0, total = past + newLength;
        if (slidingWindow is { } window && total > window)
            throw new NotSupportedException($"This model uses sliding-window attention of {window} positions, which is not implemented; sequences are limited to {window} positions (got {total}).");
        var device = inputIds.device;

        bool padded = false;
        if (attentionMask is not null)
        {
            if (attentionMask.ndim != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != total)
                throw new ArgumentException($"The attention mask must be [batch, cached + new positions] = [{batch}, {total}], found [{string.Join(", ", attentionMask.shape)}].", nameof(attentionMask));
            if (attentionMask.device_type != inputIds.device_type || attentionMask.device_index != inputIds.device_index)
                throw new ArgumentException($"The attention mask is on {attentionMask.device} but the input ids are on {device}.", nameof(attentionMask));
            padded = !attentionMask.ne(0).all().item<bool>();
        }

        Tensor positions = padded
            ? (attentionMask!.ne(0).to(ScalarType.Int64).cumsum(1) - 1).clamp_min(0).narrow(1, past, newLength)
            : arange(past, total, ScalarType.Int64, device).unsqueeze(0).expand(batch, newLength);
        Tensor? cos = null, sin = null;
        if (rotary is not null) (cos, sin) = rotary.Angles(positions, dtype);

        if (!padded && past == 0) return new ForwardContext(positions, rotary, cos, sin, null, isCausal: true, cache);
        if (!padded && newLength == 1) return new ForwardContext(positions, rotary, cos, sin, null, isCausal: false, cache);

        var queryIndex = arange(past, total, ScalarType.Int64, device).unsqueeze(1);
        var keyIndex = arange(0, total, ScalarType.Int64, device).unsqueeze(0);
        var allowed = keyIndex.le(queryIndex).unsqueeze(0);
        if (padded) allowed = allowed.logical_and(attentionMask!.ne(0).unsqueeze(1));
        // A padding query would see no key at all and SDPA would return NaN; let it see itself.
        allowed = allowed.logical_or(keyIndex.eq(queryIndex).unsqueeze(0));
        return new ForwardContext(positions, rotary, cos, sin, allowed.unsqueeze(1), isCausal: false, cache);
    }
}
