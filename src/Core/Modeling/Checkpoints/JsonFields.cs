using System.Text.Json;
using System.Text.Json.Nodes;

namespace XRight.Modeling.Checkpoints;

/// <summary>
/// Typed reads of the keys of a Hugging Face JSON file (config.json, adapter_config.json). Every
/// failure names the file, the key, what was expected and what was found.
/// </summary>
internal sealed class JsonFields(JsonObject json, string source)
{
    /// <summary>How every JSON file of a model folder is written: indented, as Hugging Face writes them.</summary>
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public JsonObject Json { get; } = json;

    public string Source { get; } = source;

    public static JsonFields Parse(string text, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message}).", e);
        }
        return node is JsonObject obj
            ? new JsonFields(obj, source)
            : throw new InvalidDataException($"{source}: expected a JSON object at the top level, found {Describe(node)}.");
    }

    public bool Has(string key) => Json[key] is not null;

    public int Int(string key) => OptionalInt(key) ?? throw Missing(key, "an integer");

    public int? OptionalInt(string key)
    {
        var node = Json[key];
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i)) return i;
        if (node is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue(out double x) && x == Math.Floor(x) && Math.Abs(x) <= int.MaxValue)
            return (int)x;
        throw Wrong(key, "an integer", node);
    }

    public double Double(string key, double fallback) => OptionalDouble(key) ?? fallback;

    public double? OptionalDouble(string key) => OptionalDouble(Json, key);

    public double? OptionalDouble(JsonObject obj, string key)
    {
        var node = obj[key];
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d)) return d;
        throw Wrong(key, "a number", node);
    }

    public bool Bool(string key, bool fallback)
    {
        var node = Json[key];
        if (node is null) return fallback;
        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return v.GetValue<bool>();
        throw Wrong(key, "true or false", node);
    }

    public string? OptionalString(string key) => OptionalString(Json, key);

    public string? OptionalString(JsonObject obj, string key)
    {
        var node = obj[key];
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String) return v.GetValue<string>();
        throw Wrong(key, "a string", node);
    }

    public JsonObject? OptionalObject(string key)
    {
        var node = Json[key];
        return node switch
        {
            null => null,
            JsonObject obj => obj,
            _ => throw Wrong(key, "an object or null", node),
        };
    }

    /// <summary>An integer or a list of integers (as <c>eos_token_id</c> may be); empty when absent.</summary>
    public int[] IntOrIntList(string key)
    {
        var node = Json[key];
        if (node is null) return [];
        if (node is JsonArray array)
            return array.Select(item => item is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i)
                ? i
                : throw Wrong(key, "an integer or a list of integers", node)).ToArray();
        return [Int(key)];
    }

    public InvalidDataException Missing(string key, string expected) =>
        new($"{Source}: the key '{key}' is required ({expected}) but is absent.");

    public InvalidDataException Wrong(string key, string expected, JsonNode? found) =>
        new($"{Source}: '{key}' must be {expected}, found {Describe(found)}.");

    public InvalidDataException Invalid(string message) => new($"{Source}: {message}");

    private static string Describe(JsonNode? node) => node is null ? "null" : node.ToJsonString();
}
