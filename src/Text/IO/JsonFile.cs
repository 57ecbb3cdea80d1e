using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace XRight.IO;

/// <summary>
/// The project's one JSON helper: how each kind of JSON file is written (the serializer options below),
/// and typed reads of the keys of a parsed JSON object (config.json, adapter_config.json, …) where every
/// failure names the file, the key, what was expected and what was found.
/// </summary>
internal sealed class JsonFile
{
    /// <summary>Indented, as Hugging Face writes its files (config.json, adapter_config.json, generation_config.json).</summary>
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Indented, with NaN and ±Infinity as named literals, since training metrics can be non-finite (checkpoint state, trajectories).</summary>
    public static readonly JsonSerializerOptions IndentedWithNamedFloats = new(Indented) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Indented, leaving non-ASCII text and markup characters unescaped so that tokens stay readable (tokenizer files).</summary>
    public static readonly JsonSerializerOptions IndentedReadable = new(Indented) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line, NaN and ±Infinity as named literals, enums by name: records kept inside other files (ML.NET model streams, selection candidates).</summary>
    public static readonly JsonSerializerOptions CompactRecords = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    private JsonFile(JsonObject json, string source)
    {
        Json = json;
        Source = source;
    }

    /// <summary>The parsed object; keys this reader has no typed read for are read from it directly.</summary>
    public JsonObject Json { get; }

    /// <summary>The file (or other origin) that error messages name.</summary>
    public string Source { get; }

    /// <summary>Parses <paramref name="text"/>, which must hold a JSON object; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The text is not JSON, or not an object.</exception>
    public static JsonFile Parse(string text, string source)
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
            ? new JsonFile(obj, source)
            : throw new InvalidDataException($"{source}: expected a JSON object at the top level, found {Describe(node)}.");
    }

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

    /// <summary>A required integer that must be positive.</summary>
    public int PositiveInt(string key) => RequirePositive(key, Int(key));

    /// <summary>An integer that must be positive, or <paramref name="fallback"/> when absent.</summary>
    public int PositiveInt(string key, int fallback) => RequirePositive(key, OptionalInt(key) ?? fallback);

    public double Double(string key, double fallback) => OptionalDouble(key) ?? fallback;

    public double? OptionalDouble(string key) => OptionalDouble(Json, key);

    public double? OptionalDouble(JsonObject obj, string key)
    {
        var node = obj[key];
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d)) return d;
        throw Wrong(key, "a number", node);
    }

    /// <summary>A finite positive number, or <paramref name="fallback"/> when absent.</summary>
    public double PositiveDouble(string key, double fallback) => RequirePositive(key, Double(key, fallback));

    /// <summary>A probability in [0, 1) (a dropout rate), or <paramref name="fallback"/> when absent.</summary>
    public double Probability(string key, double fallback)
    {
        double value = Double(key, fallback);
        return value is >= 0 and < 1 ? value : throw Invalid($"'{key}' must be in [0, 1), found {value}.");
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

    /// <summary><paramref name="value"/> (read from, or derived for, <paramref name="key"/>) when it is positive.</summary>
    public int RequirePositive(string key, int value) =>
        value > 0 ? value : throw Invalid($"'{key}' must be a positive integer, found {value}.");

    /// <summary><paramref name="value"/> (read from, or derived for, <paramref name="key"/>) when it is finite and positive.</summary>
    public double RequirePositive(string key, double value) =>
        value > 0 && double.IsFinite(value) ? value : throw Invalid($"'{key}' must be a positive number, found {value}.");

    public InvalidDataException Missing(string key, string expected) =>
        new($"{Source}: the key '{key}' is required ({expected}) but is absent.");

    public InvalidDataException Wrong(string key, string expected, JsonNode? found) =>
        new($"{Source}: '{key}' must be {expected}, found {Describe(found)}.");

    public InvalidDataException Invalid(string message) => new($"{Source}: {message}");

    private static string Describe(JsonNode? node) => node is null ? "null" : node.ToJsonString();
}
