using System.Text.Json;

namespace XRight.Text;

/// <summary>
/// A position in a parsed JSON file that knows its file and path, so that every read states what was
/// expected where and what was found instead (<see cref="InvalidDataException"/>).
/// </summary>
internal readonly struct JsonCursor
{
    public JsonCursor(JsonElement element, string file, string path)
    {
        Element = element;
        File = file;
        Path = path;
    }

    public JsonElement Element { get; }

    public string File { get; }

    /// <summary>The JSON path of this value, like <c>model.vocab</c>.</summary>
    public string Path { get; }

    public JsonValueKind Kind => Element.ValueKind;

    /// <summary>Parses <paramref name="bytes"/>; the caller disposes the document.</summary>
    public static JsonDocument Parse(byte[] bytes, string file)
    {
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{file}: not valid JSON ({ex.Message})", ex);
        }
    }

    /// <summary>The root of <paramref name="document"/>, which must be an object.</summary>
    public static JsonCursor Root(JsonDocument document, string file)
    {
        var root = new JsonCursor(document.RootElement, file, "$");
        root.Expect(JsonValueKind.Object, "an object");
        return root;
    }

    /// <summary>The member <paramref name="name"/>, or null when it is absent or JSON null.</summary>
    public JsonCursor? Optional(string name)
    {
        Expect(JsonValueKind.Object, "an object");
        return Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? new JsonCursor(value, File, Child(name))
            : null;
    }

    /// <summary>The member <paramref name="name"/>, which must be present and not null.</summary>
    public JsonCursor Required(string name) => Optional(name) ?? throw Error($"'{Child(name)}' is missing");

    public string String()
    {
        Expect(JsonValueKind.String, "a string");
        return Element.GetString()!;
    }

    public int Int32()
    {
        if (Element.ValueKind != JsonValueKind.Number || !Element.TryGetInt32(out var value))
            throw Error($"'{Path}' must be a 32-bit integer, found {Describe()}");
        return value;
    }

    public bool Bool()
    {
        if (Element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            throw Error($"'{Path}' must be true or false, found {Describe()}");
        return Element.GetBoolean();
    }

    public IEnumerable<JsonCursor> Items()
    {
        Expect(JsonValueKind.Array, "an array");
        var (file, path) = (File, Path);
        return Element.EnumerateArray().Select((item, i) => new JsonCursor(item, file, $"{path}[{i}]"));
    }

    public IEnumerable<(string Name, JsonCursor Value)> Members()
    {
        Expect(JsonValueKind.Object, "an object");
        var (file, cursor) = (File, this);
        return Element.EnumerateObject().Select(p => (p.Name, new JsonCursor(p.Value, file, cursor.Child(p.Name))));
    }

    public InvalidDataException Error(string message) => new($"{File}: {message}");

    private void Expect(JsonValueKind kind, string what)
    {
        if (Element.ValueKind != kind) throw Error($"'{Path}' must be {what}, found {Describe()}");
    }

    private string Describe() => Element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(Element.GetString()!)}\"",
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => Element.GetRawText(),
        var kind => kind.ToString().ToLowerInvariant(),
    };

    private string Child(string name) => Path == "$" ? name : $"{Path}.{name}";

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
