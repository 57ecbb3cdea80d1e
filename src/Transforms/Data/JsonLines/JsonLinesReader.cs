using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace XRight.Data.JsonLines;

/// <summary>Reads the objects of a JSON Lines file, one per non-empty line.</summary>
internal static class JsonLinesReader
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private static readonly SearchValues<byte> JsonWhitespace = SearchValues.Create(" \t\r"u8);

    /// <summary>
    /// Streams the file; each object is disposed when the enumeration moves past it. Lines that are
    /// empty or hold only JSON whitespace are skipped; any other line must be a JSON object.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is longer than <paramref name="maxLineBytes"/>, not valid UTF-8, not valid JSON, or not an object.</exception>
    public static IEnumerable<JsonLinesObject> ReadObjects(string path, int maxLineBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var lines = new Utf8LineReader(stream, path, maxLineBytes);
        long lineNumber = 0;
        while (lines.TryReadLine(out var line))
        {
            lineNumber++;
            if (lineNumber == 1 && line.Span.StartsWith(ByteOrderMark)) line = line[ByteOrderMark.Length..];
            if (!line.Span.ContainsAnyExcept(JsonWhitespace)) continue;
            using var document = Parse(line, path, lineNumber);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"'{path}', line {lineNumber}: expected a JSON object, found {JsonValueReader.Describe(document.RootElement)}.");
            yield return new JsonLinesObject(lineNumber, document.RootElement);
        }
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> line, string path, long lineNumber)
    {
        if (!Utf8.IsValid(line.Span))
            throw new InvalidDataException($"'{path}', line {lineNumber}: the text is not valid UTF-8 (first invalid byte at offset {FirstInvalidByte(line.Span)} of the line).");
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}', line {lineNumber}: invalid JSON: {e.Message}", e);
        }
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> text)
    {
        var offset = 0;
        while (offset < text.Length && Rune.DecodeFromUtf8(text[offset..], out _, out var consumed) == OperationStatus.Done)
            offset += consumed;
        return offset;
    }
}
