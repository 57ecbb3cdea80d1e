using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using XRight.IO;
using XRight.Modeling.SafeTensors;
using XRight.Training.Reference;
using static TorchSharp.torch;

namespace XRight.Training.Checkpoints;

/// <summary>
/// Writes and reads checkpoint folders: <c>trainable.safetensors</c> (the parameters being trained),
/// <c>optimizer.safetensors</c> (AdamW moments), <c>reference.cache</c> (reference log-probs) and
/// <c>state.json</c> (step, generators, loader positions, strategy state, trajectory). A checkpoint is
/// assembled in a temporary folder and renamed into place, so an interrupted write never replaces or
/// damages the last good one.
/// </summary>
internal static partial class CheckpointStore
{
    public const string TrainableFile = "trainable.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string ReferenceFile = "reference.cache";
    public const string StateFile = "state.json";
    private const string Prefix = "checkpoint-";

    /// <summary>Folder name of the checkpoint after <paramref name="step"/> steps.</summary>
    public static string FolderName(int step) => Prefix + step.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Writes a checkpoint into <paramref name="directory"/> and keeps only the newest <paramref name="keep"/>.</summary>
    public static string Save(string directory, CheckpointState state, IReadOnlyDictionary<string, Tensor> trainable,
        IReadOnlyDictionary<string, Tensor> optimizer, ReferenceLogProbCache? reference, int keep)
    {
        Directory.CreateDirectory(directory);
        var final = Path.Combine(directory, FolderName(state.Step));
        var temporary = Path.Combine(directory, $".{FolderName(state.Step)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            SafeTensorsFile.Save(Path.Combine(temporary, TrainableFile), trainable);
            SafeTensorsFile.Save(Path.Combine(temporary, OptimizerFile), optimizer);
            reference?.Save(Path.Combine(temporary, ReferenceFile));
            AtomicFile.WriteAllText(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(state, JsonFile.IndentedWithNamedFloats));
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // a rerun of the same step
            Directory.Move(temporary, final);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
        foreach (var old in List(directory).SkipLast(keep)) Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>Checkpoint folders in <paramref name="directory"/>, oldest first.</summary>
    public static IReadOnlyList<string> List(string directory)
        => Directory.Exists(directory)
            ? Directory.GetDirectories(directory, Prefix + "*").Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>
    /// Removes the half-written checkpoint folders (<c>.checkpoint-NNNNNNN.&lt;guid&gt;.tmp</c>, exactly the names
    /// <see cref="Save"/> assembles under) that a killed run left in <paramref name="directory"/>; nothing else
    /// is touched. Returns the folders removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveAbandoned(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        var removed = new List<string>();
        foreach (var folder in Directory.GetDirectories(directory, "." + Prefix + "*.tmp"))
        {
            if (!AbandonedPattern().IsMatch(Path.GetFileName(folder))) continue;
            try
            {
                Directory.Delete(folder, recursive: true);
                removed.Add(folder);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    [GeneratedRegex(@"^\.checkpoint-\d{7}\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex AbandonedPattern();

    public static CheckpointState ReadState(string folder)
    {
        var path = Path.Combine(folder, StateFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{folder}' is not a checkpoint: it has no {StateFile}.", path);
        CheckpointState? state;
        try
        {
            state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(path), JsonFile.IndentedWithNamedFloats);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Checkpoint state '{path}' is not valid: {e.Message}", e);
        }
        if (state is null || state.Format != CheckpointState.FormatName || state.Version != CheckpointState.FormatVersion)
            throw new InvalidDataException($"'{path}' is not an XRight training checkpoint of version {CheckpointState.FormatVersion}.");
        return state;
    }
}
