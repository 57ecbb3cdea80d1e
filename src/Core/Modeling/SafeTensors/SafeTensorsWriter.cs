using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace XRight.Modeling.SafeTensors;

/// <summary>
/// One safetensors file laid out and validated before anything is written: the tensors sorted by
/// element size (largest first) then name, so each tensor starts at a multiple of its element size,
/// packed without gaps after a header padded with spaces to a multiple of 8 bytes.
/// </summary>
internal sealed class SafeTensorsWriter
{
    // Hugging Face writes {"format": "pt"}; transformers refuses files whose "format" it does not know.
    private const string FormatKey = "format";
    private const string FormatValue = "pt";

    private readonly IReadOnlyList<(SafeTensorsEntry Entry, torch.Tensor Tensor)> _items;
    private readonly byte[] _header;

    private SafeTensorsWriter(IReadOnlyList<(SafeTensorsEntry, torch.Tensor)> items, byte[] header)
    {
        _items = items;
        _header = header;
    }

    /// <summary>Size of the tensor data, without the header.</summary>
    public long DataBytes => _items.Count == 0 ? 0 : _items[^1].Entry.End;

    /// <summary>The tensors as they will be written, in file order.</summary>
    public IEnumerable<SafeTensorsEntry> Entries => _items.Select(item => item.Entry);

    /// <summary>Validates the tensors and computes the layout; throws <see cref="ArgumentException"/> naming a bad tensor.</summary>
    public static SafeTensorsWriter Prepare(IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var described = tensors.Select(item => (Name: item.Key, Tensor: item.Value, DType: Validate(item.Key, item.Value))).ToList();
        described.Sort((a, b) => a.DType.Size != b.DType.Size ? b.DType.Size.CompareTo(a.DType.Size) : string.CompareOrdinal(a.Name, b.Name));

        var items = new List<(SafeTensorsEntry, torch.Tensor)>(described.Count);
        long offset = 0;
        foreach (var (name, tensor, dtype) in described)
        {
            var shape = tensor.shape;
            var end = checked(offset + tensor.NumberOfElements * dtype.Size);
            items.Add((new SafeTensorsEntry(name, dtype.Name, shape, offset, end), tensor));
            offset = end;
        }
        return new SafeTensorsWriter(items, EncodeHeader(items.Select(item => item.Item1), WithFormat(metadata)));
    }

    /// <summary>Checks that a tensor can be saved under <paramref name="name"/> and returns its dtype.</summary>
    public static SafeTensorsDType Validate(string name, torch.Tensor tensor)
    {
        if (string.IsNullOrEmpty(name) || name == SafeTensorsHeaderReader.MetadataKey)
            throw new ArgumentException($"'{name}' cannot name a tensor in a safetensors file.", "tensors");
        if (tensor is null || tensor.IsInvalid)
            throw new ArgumentException($"Tensor '{name}' is null or disposed.", "tensors");
        if (!SafeTensorsDType.TryFromScalarType(tensor.dtype, out var dtype))
            throw new ArgumentException($"Tensor '{name}' has element type {tensor.dtype}, which this library cannot store in a safetensors file (supported: {SafeTensorsDType.SupportedNames}).", "tensors");
        return dtype;
    }

    /// <summary>Writes the whole file: length, header, then each tensor's bytes.</summary>
    public void WriteTo(Stream output)
    {
        Span<byte> prefix = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)_header.Length);
        output.Write(prefix);
        output.Write(_header);
        foreach (var (entry, tensor) in _items)
        {
            using var scope = torch.NewDisposeScope();
            var bytes = tensor.detach().cpu().contiguous();
            if (bytes.NumberOfElements * bytes.ElementSize != entry.End - entry.Begin)
                throw new InvalidOperationException($"Tensor '{entry.Name}' changed size while it was being saved.");
            TensorBytes.Write(bytes, output);
        }
    }

    private static Dictionary<string, string> WithFormat(IReadOnlyDictionary<string, string>? metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
                result[key] = value ?? throw new ArgumentException($"Metadata '{key}' has a null value.", nameof(metadata));
        }
        result.TryAdd(FormatKey, FormatValue);
        return result;
    }

    private static byte[] EncodeHeader(IEnumerable<SafeTensorsEntry> entries, Dictionary<string, string> metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps non-ASCII names readable; the header is never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject(SafeTensorsHeaderReader.MetadataKey);
            foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                json.WriteString(key, value);
            json.WriteEndObject();
            foreach (var entry in entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", entry.DType);
                json.WriteStartArray("shape");
                foreach (var dim in entry.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(entry.Begin);
                json.WriteNumberValue(entry.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padded = new byte[(buffer.WrittenCount + 7) / 8 * 8];
        buffer.WrittenSpan.CopyTo(padded);
        padded.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return padded;
    }
}
