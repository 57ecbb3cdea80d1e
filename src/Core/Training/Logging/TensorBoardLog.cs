using System.Buffers.Binary;
using XRight.Evaluation;
using XRight.IO;

namespace XRight.Training.Logging;

/// <summary>
/// One TensorBoard run folder, written with TorchSharp's <c>torch.utils.tensorboard.SummaryWriter</c>:
/// scalars, text and benchmark results, each an event at a step. Every instance writes a new event file
/// (TensorBoard reads all files of a folder as one run). Wall times are whole Unix seconds (TorchSharp's).
/// </summary>
public sealed class TensorBoardLog
{
    /// <summary>Start of the names of the event files TensorBoard reads.</summary>
    public const string EventFilePrefix = "events.out.tfevents.";

    private readonly TorchSharp.Modules.SummaryWriter _writer;

    /// <summary>Opens <paramref name="directory"/> (created if missing) for a new event file.</summary>
    /// <param name="directory">The run folder.</param>
    /// <param name="continueAfterStep">
    /// When set, the events after this step are first removed from the folder's existing event files (a
    /// file left with no event after step 0 is deleted), so a run resumed from a checkpoint at this step
    /// (or started afresh with 0) logs every step once. Null leaves the existing files as they are (to add
    /// results to a finished run).
    /// </param>
    public TensorBoardLog(string directory, int? continueAfterStep = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        if (continueAfterStep is { } step) TrimAfter(directory, step);
        _writer = TorchSharp.torch.utils.tensorboard.SummaryWriter(directory);
    }

    /// <summary>The run folder.</summary>
    public string Directory { get; }

    /// <summary>A scalar event (stored as float32, as TensorBoard's simple_value is).</summary>
    public void AddScalar(string tag, double value, int step) => _writer.add_scalar(tag, (float)value, step, Now());

    /// <summary>One scalar event per entry, each tag prefixed by <paramref name="prefix"/>; non-finite values are left out.</summary>
    public void AddScalars(string prefix, IEnumerable<KeyValuePair<string, double>> values, int step)
    {
        foreach (var (tag, value) in values)
            if (double.IsFinite(value)) AddScalar(prefix + tag, value, step);
    }

    /// <summary>A text event (TensorBoard's text plugin renders it as Markdown); the tag gets TorchSharp's <c>/text_summary</c> suffix.</summary>
    public void AddText(string tag, string text, int step) => _writer.add_text(tag, text, step, Now());

    /// <summary>The benchmark's metrics as scalars <c>benchmark/&lt;name&gt;/&lt;metric&gt;</c> at <paramref name="step"/>.</summary>
    public void AddBenchmark(BenchmarkResult result, int step)
    {
        ArgumentNullException.ThrowIfNull(result);
        AddScalars($"benchmark/{result.Benchmark}/", result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal), step);
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>
    /// Removes the events after <paramref name="step"/> from the event files of <paramref name="directory"/>
    /// (records are copied unchanged; a record cut short by a killed writer is dropped). A file with no
    /// event after step 0 left is deleted.
    /// </summary>
    internal static void TrimAfter(string directory, int step)
    {
        foreach (var file in System.IO.Directory.GetFiles(directory, EventFilePrefix + "*"))
        {
            var bytes = File.ReadAllBytes(file);
            using var kept = new MemoryStream();
            bool anyStep = false, changed = false;
            int at = 0;
            while (true)
            {
                if (bytes.Length - at < 12) { changed |= at < bytes.Length; break; }
                ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
                if (length > int.MaxValue || (long)length > (long)bytes.Length - at - 16) { changed = true; break; }
                int size = 12 + (int)length + 4;
                long eventStep = StepOf(bytes.AsSpan(at + 12, (int)length), file);
                if (eventStep <= step)
                {
                    kept.Write(bytes, at, size);
                    anyStep |= eventStep > 0;
                }
                else changed = true;
                at += size;
            }
            if (!anyStep) File.Delete(file);
            else if (changed) AtomicFile.WriteAllBytes(file, kept.ToArray());
        }
    }

    // The step (field 2, varint) of a serialized Event; 0 when absent (the file-version event).
    private static long StepOf(ReadOnlySpan<byte> message, string file)
    {
        int at = 0;
        while (at < message.Length)
        {
            ulong key = Varint(message, ref at, file);
            int field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    ulong value = Varint(message, ref at, file);
                    if (field == 2) return (long)value;
                    break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    int length = checked((int)Varint(message, ref at, file));
                    at += length;
                    break;
                default: throw new InvalidDataException($"TensorBoard event file '{file}': unknown protobuf wire type {key & 7}.");
            }
        }
        return 0;
    }

    private static ulong Varint(ReadOnlySpan<byte> bytes, ref int at, string file)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= bytes.Length) throw new InvalidDataException($"TensorBoard event file '{file}': a varint runs past its event.");
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException($"TensorBoard event file '{file}': a varint is longer than 10 bytes.");
    }
}
