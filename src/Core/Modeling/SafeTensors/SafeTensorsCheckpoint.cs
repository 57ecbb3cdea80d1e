using System.Text.RegularExpressions;
using TorchSharp;
using XRight.Runtime;
using static TorchSharp.torch;
using XRight.IO;

namespace XRight.Modeling.SafeTensors;

/// <summary>
/// The weights of a Hugging Face model folder: one <c>model.safetensors</c>, or shards named
/// <c>model-00001-of-00003.safetensors</c> listed by <c>model.safetensors.index.json</c>.
/// </summary>
/// <remarks>
/// When a folder holds both, <c>model.safetensors</c> wins, as in Hugging Face transformers.
/// <see cref="Save"/> removes the files of the other layout, so a folder saved here holds only one.
/// </remarks>
public static partial class SafeTensorsCheckpoint
{
    internal const string SingleFileName = "model.safetensors";

    /// <summary>Whether <paramref name="folder"/> holds <c>model.safetensors</c> or <c>model.safetensors.index.json</c>.</summary>
    public static bool Exists(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return File.Exists(Path.Combine(folder, SingleFileName)) || File.Exists(Path.Combine(folder, CheckpointIndex.FileName));
    }

    /// <summary>
    /// The names of every tensor in the checkpoint, in ordinal order, read from the headers and the index
    /// only. A sharded checkpoint is checked for consistency: every shard the index names exists and holds
    /// the tensors mapped to it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder holds no checkpoint.</exception>
    /// <exception cref="SafeTensorsFormatException">A file is malformed or the index does not match the shards.</exception>
    public static IReadOnlyList<string> TensorNames(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return [.. ReadShards(folder).SelectMany(shard => shard.Names).Order(StringComparer.Ordinal)];
    }

    /// <summary>Loads every tensor of the checkpoint, shard by shard.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="castTo">A floating element type to convert floating tensors to; integer and boolean tensors keep their type. Null keeps every type.</param>
    /// <param name="device">The device to put the tensors on; null means the CPU.</param>
    /// <returns>
    /// The tensors by name. The caller owns them and must dispose them: they are detached from any open
    /// <see cref="DisposeScope"/>. On failure nothing loaded so far is kept.
    /// </returns>
    /// <exception cref="FileNotFoundException">The folder holds no checkpoint.</exception>
    /// <exception cref="SafeTensorsFormatException">A file is malformed or the index does not match the shards.</exception>
    public static Dictionary<string, Tensor> Load(string folder, ScalarType? castTo = null, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var shards = ReadShards(folder);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (path, names) in shards)
            {
                foreach (var (name, tensor) in SafeTensorsFile.Load(path, names, castTo, device))
                    result.Add(name, tensor);
            }
        }
        catch
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>
    /// Saves <paramref name="tensors"/> into <paramref name="folder"/> (created if needed): a single
    /// <c>model.safetensors</c> when all tensor data fits in <paramref name="maxShardBytes"/>, else shards
    /// of at most that size (a larger tensor gets a shard of its own) plus the index. Tensors fill the
    /// shards in the dictionary's enumeration order. Every file is written under a temporary name and
    /// renamed into place (the index last); files of an older save that the new one does not use are
    /// removed only after that. No file is ever half-written, but a crash during the renames can leave
    /// new shards beside an older index of the same shard names.
    /// </summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="tensors">The tensors by name, on any device and of any layout; they are not modified or disposed.</param>
    /// <param name="maxShardBytes">The most tensor bytes per shard file (2 GiB by default).</param>
    /// <param name="metadata">String metadata for every file's header; <c>"format": "pt"</c> is added unless it sets "format".</param>
    /// <exception cref="ArgumentException">A tensor is disposed, has an unsupported element type, or is named <c>__metadata__</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxShardBytes"/> is not positive.</exception>
    public static void Save(string folder, IReadOnlyDictionary<string, Tensor> tensors, long maxShardBytes = 2L << 30, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        TorchRuntime.EnsureLoaded();

        var writers = PlanShards(tensors, maxShardBytes).Select(shard => SafeTensorsWriter.Prepare(shard, metadata)).ToList();
        var sharded = writers.Count > 1;
        var fileNames = sharded
            ? Enumerable.Range(1, writers.Count).Select(i => ShardFileName(i, writers.Count)).ToList()
            : [SingleFileName];

        Directory.CreateDirectory(folder);
        var files = fileNames.Zip(writers, (name, writer) => (Path.Combine(folder, name), (Action<Stream>)writer.WriteTo)).ToList();
        if (sharded)
        {
            var weightMap = fileNames.Zip(writers)
                .SelectMany(shard => shard.Second.Entries.Select(entry => KeyValuePair.Create(entry.Name, shard.First)))
                .ToDictionary(StringComparer.Ordinal);
            var index = new CheckpointIndex(weightMap, writers.Sum(writer => writer.DataBytes)).Encode();
            files.Add((Path.Combine(folder, CheckpointIndex.FileName), stream => stream.Write(index)));
        }
        AtomicFile.WriteAll(files);
        RemoveStaleFiles(folder, sharded, fileNames);
    }

    /// <summary>
    /// Splits tensors, in order, into groups of at most <paramref name="maxShardBytes"/> data bytes;
    /// a tensor larger than that forms a group of its own. Always returns at least one group.
    /// </summary>
    internal static List<List<KeyValuePair<string, Tensor>>> PlanShards(IEnumerable<KeyValuePair<string, Tensor>> tensors, long maxShardBytes)
    {
        var shards = new List<List<KeyValuePair<string, Tensor>>> { new() };
        long currentBytes = 0;
        foreach (var item in tensors)
        {
            var elementSize = SafeTensorsWriter.Validate(item.Key, item.Value).Size;
            var bytes = item.Value.NumberOfElements * elementSize;
            if (shards[^1].Count > 0 && currentBytes + bytes > maxShardBytes)
            {
                shards.Add([]);
                currentBytes = 0;
            }
            shards[^1].Add(item);
            currentBytes += bytes;
        }
        return shards;
    }

    internal static string ShardFileName(int number, int count) => $"model-{number:D5}-of-{count:D5}.safetensors";

    /// <summary>Every tensor's header entry (name, type, shape), from the headers only, and how messages name the checkpoint.</summary>
    internal static (IReadOnlyList<SafeTensorsEntry> Entries, string Name) Entries(string folder)
    {
        var shards = ReadShards(folder);
        var name = shards.Count == 1 && Path.GetFileName(shards[0].Path) == SingleFileName ? SingleFileName : $"the {shards.Count}-shard checkpoint";
        return ([.. shards.SelectMany(shard => SafeTensorsFile.ReadHeader(shard.Path).Entries)], name);
    }

    private static List<(string Path, IReadOnlyList<string> Names)> ReadShards(string folder)
    {
        var single = Path.Combine(folder, SingleFileName);
        if (File.Exists(single))
            return [(single, SafeTensorsFile.ReadHeader(single).Entries.Select(entry => entry.Name).ToList())];

        var indexPath = Path.Combine(folder, CheckpointIndex.FileName);
        if (!File.Exists(indexPath))
            throw new FileNotFoundException($"The folder '{folder}' holds no safetensors checkpoint: expected '{SingleFileName}' or '{CheckpointIndex.FileName}'.", single);

        var shards = new List<(string, IReadOnlyList<string>)>();
        foreach (var group in CheckpointIndex.ReadWeightMap(indexPath).GroupBy(item => item.Value, item => item.Key, StringComparer.Ordinal))
        {
            var shardPath = Path.Combine(folder, group.Key);
            if (!File.Exists(shardPath))
                throw new SafeTensorsFormatException(indexPath, $"\"weight_map\" maps tensor '{group.First()}' to '{group.Key}', which is not in the folder.");
            var present = SafeTensorsFile.ReadHeader(shardPath).Entries.Select(entry => entry.Name).ToHashSet(StringComparer.Ordinal);
            var missing = group.FirstOrDefault(name => !present.Contains(name));
            if (missing is not null)
                throw new SafeTensorsFormatException(indexPath, $"\"weight_map\" maps tensor '{missing}' to '{group.Key}', which holds no tensor of that name.");
            shards.Add((shardPath, group.ToList()));
        }
        return shards;
    }

    // Runs only once every new file is in place: a save that fails earlier leaves the older files alone.
    private static void RemoveStaleFiles(string folder, bool sharded, IReadOnlyCollection<string> currentFiles)
    {
        if (sharded)
            File.Delete(Path.Combine(folder, SingleFileName));
        else
            File.Delete(Path.Combine(folder, CheckpointIndex.FileName));
        foreach (var path in Directory.EnumerateFiles(folder, "model-*-of-*.safetensors"))
        {
            var name = Path.GetFileName(path);
            if (ShardFileNamePattern().IsMatch(name) && !currentFiles.Contains(name))
                File.Delete(path);
        }
    }

    [GeneratedRegex(@"^model-\d{5}-of-\d{5}\.safetensors$")]
    private static partial Regex ShardFileNamePattern();
}
