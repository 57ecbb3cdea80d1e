using System.Text;
using System.Text.Json;

namespace XRight.Data.JsonLines;

/// <summary>Reads the objects of a JSON Lines file, one per non-empty line.</summary>
internal static class JsonLinesReader
{
    // Invalid UTF-8 is an error rather than silently replaced characters.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Streams the file; each object is disposed when the enumeration moves past it. Lines that are
    /// empty or whitespace are skipped; any other line must be a JSON object.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is not valid UTF-8, not valid JSON, or not an object.</exception>
    public static IEnumerable<JsonLinesObject> ReadObjects(string path)
    {
        using var reader = new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: true);
        long lineNumber = 0;
        while (ReadLine(reader, path, lineNumber + 1) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var document = Parse(line, path, lineNumber);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"'{path}', line {lineNumber}: expected a JSON object, found {JsonValueReader.Describe(document.RootElement)}.");
            yield return new JsonLinesObject(lineNumber, document.RootElement);
        }
    }

    private static string? ReadLine(StreamReader reader, string path, long lineNumber)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"'{path}', line {lineNumber}: the text is not valid UTF-8 ({e.Message}).", e);
        }
    }

    private static JsonDocument Parse(string line, string path, long lineNumber)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}', line {lineNumber}: invalid JSON: {e.Message}", e);
        }
    }
}
