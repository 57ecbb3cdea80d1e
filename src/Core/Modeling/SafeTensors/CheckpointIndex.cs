using System.Text.Encodings.Web;
using System.Text.Json;

namespace XRight.Modeling.SafeTensors;

/// <summary>
/// A sharded checkpoint's <c>model.safetensors.index.json</c>:
/// <c>{"metadata": {"total_size": bytes}, "weight_map": {tensor: shard file}}</c>.
/// </summary>
/// <remarks>Reading uses only the weight map: "metadata" is informative and loaders do not need it.</remarks>
/// <param name="WeightMap">The shard file holding each tensor.</param>
/// <param name="TotalSize">Bytes of tensor data over all shards, written as "metadata.total_size".</param>
internal sealed record CheckpointIndex(IReadOnlyDictionary<string, string> WeightMap, long TotalSize)
{
    public const string FileName = "model.safetensors.index.json";

    /// <summary>An index is a small JSON file; anything larger is not one.</summary>
    private const long MaxIndexBytes = SafeTensorsHeaderReader.MaxHeaderBytes;

    /// <summary>Reads and validates an index's weight map; shard names must be plain file names in the index's folder.</summary>
    public static Dictionary<string, string> ReadWeightMap(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxIndexBytes)
            throw new SafeTensorsFormatException(path, $"the index is {length} bytes, above the {MaxIndexBytes}-byte limit.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, $"the index is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException(path, $"the index must be a JSON object; found {root.ValueKind}.");
            if (!root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException(path, "the index has no \"weight_map\" object.");
            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in map.EnumerateObject())
            {
                var file = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : null;
                if (file is null || !IsPlainFileName(file))
                    throw new SafeTensorsFormatException(path, $"\"weight_map\" maps '{item.Name}' to {item.Value.GetRawText()}; expected the name of a file in the same folder.");
                if (!weightMap.TryAdd(item.Name, file))
                    throw new SafeTensorsFormatException(path, $"\"weight_map\" names '{item.Name}' more than once.");
            }
            return weightMap;
        }
    }

    /// <summary>The index as Hugging Face writes it: indented, keys sorted, a final newline.</summary>
    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", TotalSize);
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (name, file) in WeightMap.OrderBy(item => item.Key, StringComparer.Ordinal))
                json.WriteString(name, file);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static bool IsPlainFileName(string file) =>
        file.Length > 0 && file is not ("." or "..") && file.IndexOfAny(['/', '\\', '\0']) < 0 && Path.GetFileName(file) == file;
}
