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

    /// <summary>
    /// Test hook, null (inert) unless a test sets it: called with the temporary folder once every file of a
    /// checkpoint is written there and before it is renamed into place. The kill test's child process
    /// (tests/XRight.KillProbe) blocks in it to be killed in the middle of a checkpoint write.
    /// </summary>
    internal static Action<string>? BeforeRenameForTests;

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
            BeforeRenameForTests?.Invoke(temporary);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // a rerun of the same step
            Directory.Move(temporary, final);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
        // Only this run's checkpoints are pruned: a folder of another run (or one that cannot be read) is left alone.
        var key = state.Identity.Key;
        foreach (var old in List(directory).Where(f => ReadIdentity(f)?.Key == key).SkipLast(keep)) Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>The identity recorded in a checkpoint, or null when its state cannot be read.</summary>
    public static RunIdentity? ReadIdentity(string folder)
    {
        try
        {
            return ReadState(folder).Identity;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Refuses to let a run write into <paramref name="directory"/> when it holds checkpoints of another run (or
    /// checkpoints that cannot be read): pruning by step number would otherwise keep the other run's newer
    /// steps, and a later resume would continue the wrong run. Checkpoints of the same run are fine.
    /// </summary>
    /// <exception cref="InvalidOperationException">The directory holds a checkpoint of another run; the message names it and what differs.</exception>
    public static void RequireOwnDirectory(string directory, RunIdentity identity)
    {
        foreach (var folder in List(directory))
        {
            string? problem;
            try
            {
                var theirs = ReadState(folder).Identity;
                var differences = identity.Differences(theirs);
                problem = differences.Count == 0 ? null : string.Join("; ", differences) + (differences.Count == 1 ? " differs" : " differ") + " from this run";
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                problem = $"it cannot be read ({e.Message})";
            }
            if (problem is not null)
                throw new InvalidOperationException(
                    $"Checkpoints.Directory '{directory}' holds checkpoints of another run: in {Path.GetFileName(folder)} {problem}. " +
                    "Resume that run, or give this run a folder of its own (or empty this one).");
        }
    }

    /// <summary>
    /// Refuses a resume whose inputs differ from those of the run that wrote <paramref name="folder"/>, naming
    /// what differs (options one by one, as "name: checkpoint X, now Y"; the model, tokenizer and each data set by name).
    /// </summary>
    /// <param name="folder">The checkpoint to resume from.</param>
    /// <param name="state">Its state.</param>
    /// <param name="optionsFingerprint">The run's <see cref="OptionsFingerprint.Of"/>, whose hash is <see cref="RunIdentity.Options"/>.</param>
    /// <param name="identity">The run's identity.</param>
    /// <exception cref="InvalidOperationException">An input differs.</exception>
    public static void RequireSameRun(string folder, CheckpointState state, string optionsFingerprint, RunIdentity identity)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        if (state.Identity.Options != identity.Options)
        {
            // A user strategy's name is checked with the options when the run starts (it is known only then).
            var saved = string.Join('\n', state.OptionsFingerprint.Split('\n').Where(l => !l.StartsWith("Strategy.Custom=", StringComparison.Ordinal)));
            throw new InvalidOperationException($"Checkpoint '{folder}' was written with different training options:\n{OptionsFingerprint.Differences(saved, optionsFingerprint)}");
        }
        var differences = identity.Differences(state.Identity);
        if (differences.Count > 0)
            throw new InvalidOperationException(
                $"Cannot resume from '{folder}': {string.Join("; ", differences)} {(differences.Count == 1 ? "differs" : "differ")} from the run that wrote {name}. " +
                "A checkpoint continues only the run that wrote it.");
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
            var text = File.ReadAllText(path);
            // The format and version first, so an older checkpoint is named as such rather than as malformed.
            var head = System.Text.Json.Nodes.JsonNode.Parse(text) as System.Text.Json.Nodes.JsonObject;
            var format = head?["Format"] is System.Text.Json.Nodes.JsonValue f && f.TryGetValue<string>(out var name) ? name : null;
            var version = head?["Version"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<int>(out var number) ? number : (int?)null;
            if (format != CheckpointState.FormatName || version is null)
                throw new InvalidDataException($"'{path}' is not an XRight training checkpoint (no Format \"{CheckpointState.FormatName}\" with a Version).");
            if (version == 1)
                throw new InvalidDataException($"'{path}' is a checkpoint of version 1, written before checkpoints recorded the run's model and data; " +
                    "it cannot be verified, so it is not resumed.");
            if (version != CheckpointState.FormatVersion)
                throw new InvalidDataException($"'{path}' is a checkpoint of version {version}; this XRight reads version {CheckpointState.FormatVersion}.");
            state = JsonSerializer.Deserialize<CheckpointState>(text, JsonFile.IndentedWithNamedFloats);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Checkpoint state '{path}' is not valid: {e.Message}", e);
        }
        if (state?.Identity is null)
            throw new InvalidDataException($"Checkpoint state '{path}' is not valid: it records no run identity.");
        return state;
    }
}
