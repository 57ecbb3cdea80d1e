using static TorchSharp.torch;

namespace XRight.Modeling;

/// <summary>
/// The keys and values of the positions a model has already seen, per layer, so that the next
/// forward pass only computes the new positions. Pass the same cache to successive
/// <see cref="CausalLm.Forward"/> calls with the attention mask covering all positions so far.
/// Meant for inference (under <c>torch.no_grad()</c>); dispose it to free its memory.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly List<LayerEntry> _layers = [];
    private bool _disposed;

    /// <summary>Positions cached so far (0 for a new cache).</summary>
    public int Length => _layers.Count == 0 ? 0 : _layers[0].Length;

    /// <summary>Rows of the batch the cache holds, once the first forward pass has run.</summary>
    public long? BatchSize => _layers.Count == 0 ? null : _layers[0].Keys.shape[0];

    /// <summary>Frees the cached tensors.</summary>
    public void Dispose()
    {
        foreach (var layer in _layers)
        {
            layer.Keys.Dispose();
            layer.Values.Dispose();
        }
        _layers.Clear();
        _disposed = true;
    }

    /// <summary>Throws unless every layer holds the same number of positions (a failed forward leaves them uneven).</summary>
    internal void EnsureConsistent(int layerCount, long batchSize)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_layers.Count == 0) return;
        if (_layers.Count != layerCount || _layers.Any(l => l.Length != _layers[0].Length))
            throw new InvalidOperationException("The KV cache is incomplete (an earlier forward pass with it failed or it belongs to another model); start a new cache.");
        if (_layers[0].Keys.shape[0] != batchSize)
            throw new ArgumentException($"The KV cache holds a batch of {_layers[0].Keys.shape[0]} rows but the input has {batchSize}.");
    }

    /// <summary>
    /// Rearranges the cached rows: row i becomes old row <paramref name="rows"/>[i] (int64 [B'], on the
    /// cache's device; a row may be repeated). Lets one context go through the model once and then be
    /// continued by several rows, e.g. the choices of a multiple-choice question.
    /// </summary>
    internal void SelectRows(Tensor rows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int i = 0; i < _layers.Count; i++)
        {
            var entry = _layers[i];
            var keys = entry.Keys.index_select(0, rows).DetachFromDisposeScope();
            var values = entry.Values.index_select(0, rows).DetachFromDisposeScope();
            entry.Keys.Dispose();
            entry.Values.Dispose();
            _layers[i] = entry with { Keys = keys, Values = values };
        }
    }

    /// <summary>
    /// Appends the new keys and values [B, kvHeads, T, headDim] of <paramref name="layer"/> and returns
    /// views of all cached positions [B, kvHeads, Length + T, headDim]. Storage grows by doubling.
    /// </summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (layer == _layers.Count) _layers.Add(new LayerEntry(Allocate(keys, keys.shape[2]), Allocate(values, values.shape[2]), 0));
        var entry = _layers[layer];
        int added = (int)keys.shape[2];
        int needed = entry.Length + added;
        long capacity = entry.Keys.shape[2];
        if (needed > capacity)
        {
            long grown = Math.Max(needed, 2 * capacity);
            entry = entry with { Keys = Grow(entry.Keys, entry.Length, grown), Values = Grow(entry.Values, entry.Length, grown) };
        }
        using (NewDisposeScope())
        {
            entry.Keys.narrow(2, entry.Length, added).copy_(keys);
            entry.Values.narrow(2, entry.Length, added).copy_(values);
        }
        _layers[layer] = entry with { Length = needed };
        return (entry.Keys.narrow(2, 0, needed), entry.Values.narrow(2, 0, needed));
    }

    private static Tensor Allocate(Tensor like, long capacity) =>
        empty([like.shape[0], like.shape[1], capacity, like.shape[3]], like.dtype, like.device).DetachFromDisposeScope();

    private static Tensor Grow(Tensor old, int used, long capacity)
    {
        var grown = Allocate(old, capacity);
        using (NewDisposeScope()) grown.narrow(2, 0, used).copy_(old.narrow(2, 0, used));
        old.Dispose();
        return grown;
    }

    private sealed record LayerEntry(Tensor Keys, Tensor Values, int Length);
}
