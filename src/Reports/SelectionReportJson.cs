using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using XRight.IO;

namespace XRight.Selection;

/// <summary>
/// The JSON file of a <see cref="SelectionReport"/>: <c>{"format": "xright.selection-report",
/// "version": 2, "report": {...}}</c>
/// (version 2: each candidate holds the summary of its run under "run"). The header is checked before the body is read, so a future
/// version fails with a clear message instead of a deserializer error.
/// </summary>
internal static class SelectionReportJson
{
    public const string Format = "xright.selection-report";
    public const int Version = 2;

    // The project's indented files, plus this format's own choices: camelCase names, enums by name,
    // nullability and required members enforced on read, NaN as a named literal (a held-out metric without rows).
    private static readonly JsonSerializerOptions Options = new(JsonFile.Indented)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static string Serialize(SelectionReport report)
    {
        var document = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["report"] = JsonSerializer.SerializeToNode(report, Options),
        };
        return document.ToJsonString(Options);
    }

    public static SelectionReport Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var text = File.ReadAllText(path);
        try
        {
            var document = JsonNode.Parse(text) as JsonObject
                ?? throw new InvalidDataException($"Selection report '{path}': expected a JSON object at the top level.");
            var format = document["format"]?.GetValue<string>();
            var version = document["version"]?.GetValue<int>();
            if (format != Format || version != Version)
                throw new InvalidDataException(
                    $"Selection report '{path}': expected format '{Format}' version {Version}; found format '{format ?? "(none)"}' version {version?.ToString() ?? "(none)"}.");
            var body = document["report"]
                ?? throw new InvalidDataException($"Selection report '{path}': the 'report' member is missing.");
            return body.Deserialize<SelectionReport>(Options)
                ?? throw new InvalidDataException($"Selection report '{path}': the 'report' member is null.");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            // Parser, type and consistency errors all mean the same thing to the caller: this file is not a report.
            throw new InvalidDataException($"Selection report '{path}' could not be read: {e.Message}", e);
        }
    }
}
