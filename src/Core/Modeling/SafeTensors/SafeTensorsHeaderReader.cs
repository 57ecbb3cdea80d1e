using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace XRight.Modeling.SafeTensors;

/// <summary>
/// Reads and validates a safetensors header. Every check that bounds an allocation or a read (header
/// length, offsets, byte counts) happens here, before any tensor memory is allocated.
/// </summary>
internal static class SafeTensorsHeaderReader
{
    /// <summary>The largest header accepted; the reference implementation uses the same cap.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    public const string MetadataKey = "__metadata__";

    public static SafeTensorsHeader Read(SafeFileHandle file, string path)
    {
        var fileLength = RandomAccess.GetLength(file);
        if (fileLength < sizeof(ulong))
            throw new SafeTensorsFormatException(path, $"the file is {fileLength} bytes long; a safetensors file starts with an 8-byte header length.");
        Span<byte> prefix = stackalloc byte[sizeof(ulong)];
        TensorBytes.ReadExactly(file, prefix, 0, path);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw new SafeTensorsFormatException(path, $"the header length is {headerLength} bytes, above the {MaxHeaderBytes}-byte limit.");
        if ((long)headerLength > fileLength - sizeof(ulong))
            throw new SafeTensorsFormatException(path, $"the header length is {headerLength} bytes but only {fileLength - sizeof(ulong)} bytes follow the length field.");
        var json = new byte[headerLength];
        TensorBytes.ReadExactly(file, json, sizeof(ulong), path);
        return Parse(json, fileLength, path);
    }

    /// <summary>Validates the header JSON of a file of <paramref name="fileLength"/> bytes.</summary>
    public static SafeTensorsHeader Parse(byte[] json, long fileLength, string path)
    {
        var dataStart = sizeof(ulong) + (long)json.Length;
        var dataLength = fileLength - dataStart;
        if (!Utf8.IsValid(json))
            throw new SafeTensorsFormatException(path, "the header is not valid UTF-8.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, $"the header is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException(path, $"the header must be a JSON object; found {Describe(root)}.");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafeTensorsFormatException(path, $"the header names '{property.Name}' more than once.");
                if (property.Name == MetadataKey)
                    metadata = ParseMetadata(property.Value, path);
                else
                    entries.Add(ParseEntry(property.Name, property.Value, dataLength, path));
            }
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            CheckContiguous(entries, dataLength, path);
            return new SafeTensorsHeader(entries, metadata, dataStart);
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement element, string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Null) return metadata;
        if (element.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(path, $"\"{MetadataKey}\" must be an object of strings; found {Describe(element)}.");
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsFormatException(path, $"\"{MetadataKey}\" entry '{item.Name}' must be a string; found {Describe(item.Value)}.");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new SafeTensorsFormatException(path, $"\"{MetadataKey}\" names '{item.Name}' more than once.");
        }
        return metadata;
    }

    private static SafeTensorsEntry ParseEntry(string name, JsonElement element, long dataLength, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Bad(path, name, $"its description must be an object; found {Describe(element)}");

        var dtypeName = Required(element, "dtype", path, name);
        if (dtypeName.ValueKind != JsonValueKind.String)
            throw Bad(path, name, $"\"dtype\" must be a string; found {Describe(dtypeName)}");
        if (!SafeTensorsDType.TryFromName(dtypeName.GetString()!, out var dtype))
            throw Bad(path, name, $"dtype '{dtypeName.GetString()}' is not supported (supported: {SafeTensorsDType.SupportedNames})");

        var shape = NonNegativeIntegers(Required(element, "shape", path, name), "shape", path, name);
        var offsets = NonNegativeIntegers(Required(element, "data_offsets", path, name), "data_offsets", path, name);
        if (offsets.Length != 2)
            throw Bad(path, name, $"\"data_offsets\" must hold exactly two numbers [begin, end]; found {offsets.Length}");
        long begin = offsets[0], end = offsets[1];
        if (begin > end)
            throw Bad(path, name, $"data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw Bad(path, name, $"data_offsets [{begin}, {end}] run past the end of the data section ({dataLength} bytes)");

        var byteLength = ByteLength(shape, dtype.Size)
            ?? throw Bad(path, name, $"shape [{string.Join(", ", shape)}] of {dtype.Name} has more bytes than a 64-bit count can hold");
        if (end - begin != byteLength)
            throw Bad(path, name, $"shape [{string.Join(", ", shape)}] of {dtype.Name} needs {byteLength} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        return new SafeTensorsEntry(name, dtype.Name, shape, begin, end);
    }

    /// <summary>Element count times element size, or null when that overflows.</summary>
    internal static long? ByteLength(long[] shape, int elementSize)
    {
        if (shape.Contains(0)) return 0;
        long bytes = elementSize;
        foreach (var dim in shape)
        {
            if (bytes > long.MaxValue / dim) return null;
            bytes *= dim;
        }
        return bytes;
    }

    // The reference implementation requires the data to be packed without gaps or overlaps and to fill the
    // data section exactly, so every byte of the file is accounted for.
    private static void CheckContiguous(List<SafeTensorsEntry> entries, long dataLength, string path)
    {
        long expected = 0;
        string? previous = null;
        foreach (var entry in entries)
        {
            if (entry.Begin < expected)
                throw Bad(path, entry.Name, $"its data [{entry.Begin}, {entry.End}] overlaps tensor '{previous}', which ends at {expected}");
            if (entry.Begin > expected)
                throw Bad(path, entry.Name, $"its data starts at {entry.Begin} but the previous tensor ends at {expected}; the data must be contiguous without gaps");
            expected = entry.End;
            previous = entry.Name;
        }
        if (expected != dataLength)
            throw new SafeTensorsFormatException(path, $"the tensors cover {expected} bytes of data but the data section holds {dataLength}; the data must be contiguous without trailing bytes.");
    }

    private static JsonElement Required(JsonElement element, string property, string path, string name) =>
        element.TryGetProperty(property, out var value) ? value : throw Bad(path, name, $"its description has no \"{property}\"");

    private static long[] NonNegativeIntegers(JsonElement element, string property, string path, string name)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw Bad(path, name, $"\"{property}\" must be an array of non-negative integers; found {Describe(element)}");
        var values = new long[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value) || value < 0)
                throw Bad(path, name, $"\"{property}\" must be an array of non-negative integers; found {item.GetRawText()}");
            values[i++] = value;
        }
        return values;
    }

    private static SafeTensorsFormatException Bad(string path, string name, string reason) => new(path, $"tensor '{name}': {reason}.");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {element.GetRawText()}",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        _ => "null",
    };
}
