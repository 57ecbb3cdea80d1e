using XRight.Runtime;

namespace XRight.Training;

/// <summary>
/// Serves batches of one data set epoch after epoch, reshuffling at every epoch start from its own
/// seeded generator, so data sets of different sizes each keep their own epoch count. Optionally
/// groups rows of similar length into the same batch to cut padding (then each epoch starts with the
/// batch of its longest row). Its position can be saved and restored exactly.
/// </summary>
internal sealed class BatchLoader<T>
{
    // Rows are sorted by length inside windows of this many batches (as in length-grouped samplers):
    // batches get rows of similar length while the data order stays random across windows.
    private const int GroupingWindowBatches = 50;

    private readonly IReadOnlyList<T> _items;
    private readonly Func<T, int>? _length;
    private readonly SeededRandom _random;
    private ulong[] _epochStartState;
    private List<int[]> _batches = [];

    public BatchLoader(IReadOnlyList<T> items, int batchSize, long seed, Func<T, int>? lengthForGrouping = null)
    {
        if (items.Count == 0) throw new ArgumentException("A batch loader needs at least one row.", nameof(items));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _items = items;
        BatchSize = batchSize;
        _length = lengthForGrouping;
        _random = new SeededRandom(seed);
        _epochStartState = _random.State;
        StartEpoch(0);
    }

    public int BatchSize { get; }

    public int Count => _items.Count;

    /// <summary>Batches in one epoch (the last one may be smaller).</summary>
    public int BatchesPerEpoch => (_items.Count + BatchSize - 1) / BatchSize;

    /// <summary>The epoch the next batch belongs to (0-based).</summary>
    public int Epoch { get; private set; }

    /// <summary>Index of the next batch within its epoch.</summary>
    public int BatchIndex { get; private set; }

    /// <summary>The next batch; starts a freshly shuffled epoch when the current one is used up.</summary>
    public IReadOnlyList<T> Next()
    {
        if (BatchIndex == _batches.Count) StartEpoch(Epoch + 1);
        return _batches[BatchIndex++].Select(i => _items[i]).ToArray();
    }

    /// <summary>The next batch without consuming it.</summary>
    public IReadOnlyList<T> Peek()
    {
        if (BatchIndex == _batches.Count) StartEpoch(Epoch + 1);
        return _batches[BatchIndex].Select(i => _items[i]).ToArray();
    }

    public LoaderState SaveState() => new(Epoch, BatchIndex, _epochStartState);

    public void LoadState(LoaderState state)
    {
        _random.State = state.EpochStartRandom;
        StartEpoch(state.Epoch);
        if (state.BatchIndex < 0 || state.BatchIndex > _batches.Count)
            throw new InvalidDataException($"Loader position {state.BatchIndex} is outside an epoch of {_batches.Count} batches.");
        BatchIndex = state.BatchIndex;
    }

    private void StartEpoch(int epoch)
    {
        _epochStartState = _random.State;
        Epoch = epoch;
        BatchIndex = 0;
        var order = Enumerable.Range(0, _items.Count).ToArray();
        _random.Shuffle(order);
        _batches = _length is null ? Chunk(order) : GroupByLength(order, _length);
    }

    private List<int[]> Chunk(IEnumerable<int> order) => order.Chunk(BatchSize).ToList();

    private List<int[]> GroupByLength(int[] order, Func<T, int> length)
    {
        var batches = new List<int[]>();
        foreach (var window in order.Chunk(BatchSize * GroupingWindowBatches))
            batches.AddRange(Chunk(window.OrderByDescending(i => length(_items[i])).ThenBy(i => i)));
        _random.Shuffle(batches);
        // The batch holding the longest row goes first: an epoch's largest memory need shows at its first
        // step (an out-of-memory failure comes at once, not hours in), and the allocator settles early.
        int longest = batches.Select((b, index) => (Length: length(_items[b[0]]), Index: index)).MaxBy(x => x.Length).Index;
        (batches[0], batches[longest]) = (batches[longest], batches[0]);
        return batches;
    }
}

/// <summary>A loader's position: the epoch, the next batch in it, and the generator state the epoch's order came from.</summary>
internal sealed record LoaderState(int Epoch, int BatchIndex, ulong[] EpochStartRandom);
