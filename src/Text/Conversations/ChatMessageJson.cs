using System.Text;
using System.Text.Json;

namespace XRight.Text;

/// <summary>
/// Conversations as JSON: a list of <c>{"role": …, "content": …}</c> objects, the <c>messages</c> column of
/// Hugging Face chat data sets (and TRL's conversational <c>prompt</c>, <c>chosen</c> and <c>rejected</c>).
/// </summary>
public static class ChatMessageJson
{
    /// <summary>
    /// The messages of a JSON list. Each item must be an object with a non-empty string <c>role</c> and a string
    /// <c>content</c>; other keys (<c>tool_calls</c>, <c>name</c>, …) are refused rather than dropped, since a
    /// template could read them.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="where">What the text is, for messages (for example <c>'chat.jsonl', row 3, column 'messages'</c>).</param>
    /// <exception cref="FormatException">The text is not such a list; the message names <paramref name="where"/> and the JSON path.</exception>
    public static IReadOnlyList<ChatMessage> Parse(string json, string where)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(where);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{where}: not valid JSON ({e.Message}); expected a list of {{\"role\", \"content\"}} messages.", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{where}: expected a list of {{\"role\", \"content\"}} messages, found {Describe(root)}.");
            var messages = new List<ChatMessage>();
            int index = 0;
            foreach (var item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                    throw new FormatException($"{where}: [{index}] must be an object with \"role\" and \"content\", found {Describe(item)}.");
                string? role = null, content = null;
                foreach (var property in item.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "role":
                            role = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : throw new FormatException($"{where}: [{index}].role must be a string, found {Describe(property.Value)}.");
                            break;
                        case "content":
                            content = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : throw new FormatException($"{where}: [{index}].content must be a string, found {Describe(property.Value)}.");
                            break;
                        default:
                            throw new FormatException($"{where}: [{index}] has the key '{property.Name}'; only \"role\" and \"content\" are supported.");
                    }
                }
                if (string.IsNullOrWhiteSpace(role)) throw new FormatException($"{where}: [{index}].role is missing or empty.");
                if (content is null) throw new FormatException($"{where}: [{index}].content is missing.");
                messages.Add(new ChatMessage(role, content));
                index++;
            }
            return messages;
        }
    }

    /// <summary>The messages as a compact JSON list, which <see cref="Parse"/> reads back.</summary>
    public static string Format(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                ArgumentNullException.ThrowIfNull(message, nameof(messages));
                writer.WriteStartObject();
                writer.WriteString("role", message.Role);
                writer.WriteString("content", message.Content);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => value.ValueKind.ToString(),
    };
}
