using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Turns the caller's .NET values into template values: strings, booleans, numbers, null, dictionaries with
/// string keys, sequences, <see cref="ChatMessage"/>s and JSON (<see cref="JsonElement"/>, <see cref="JsonNode"/>).
/// Any other object is refused: the template never sees a .NET object, so it cannot reach its members.
/// </summary>
internal static class ValueConversion
{
    private const int MaxDepth = 200;

    public static object? FromDotNet(object? value, string name, int depth = 0)
    {
        if (depth > MaxDepth) throw new ArgumentException($"The value of '{name}' is nested more than {MaxDepth} deep.", nameof(value));
        switch (value)
        {
            case null: return null;
            case string or bool or long or double: return value;
            case int or short or sbyte or byte or ushort or uint: return Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case ulong u when u <= long.MaxValue: return (long)u;
            case float or decimal: return Convert.ToDouble(value, CultureInfo.InvariantCulture);
            case ChatMessage message: return Message(message);
            case JsonElement element: return FromJson(element, name, depth);
            case JsonNode node: return FromJson(node.Deserialize<JsonElement>(), name, depth);
            case IDictionary<string, object?> dict: return Dict(dict, name, depth);
            case IReadOnlyDictionary<string, object?> dict: return Dict(dict, name, depth);
            case IDictionary dict:
                var pairs = new List<KeyValuePair<string, object?>>();
                foreach (DictionaryEntry entry in dict)
                    pairs.Add(new(entry.Key as string ?? throw new ArgumentException($"The keys of '{name}' must be strings.", nameof(value)), entry.Value));
                return Dict(pairs, name, depth);
            case IEnumerable items:
                var list = new List<object?>();
                foreach (var item in items) list.Add(FromDotNet(item, $"{name}[{list.Count}]", depth + 1));
                return list;
            default:
                throw new ArgumentException(
                    $"'{name}' is a {value.GetType().Name}; a chat template takes strings, numbers, booleans, null, dictionaries, lists, ChatMessage and JSON values.",
                    nameof(value));
        }
    }

    public static PyDict Message(ChatMessage message)
    {
        var dict = new PyDict();
        dict.Set("role", message.Role);
        dict.Set("content", message.Content);
        return dict;
    }

    private static PyDict Dict(IEnumerable<KeyValuePair<string, object?>> pairs, string name, int depth)
    {
        var dict = new PyDict();
        foreach (var (key, item) in pairs) dict.Set(key, FromDotNet(item, $"{name}.{key}", depth + 1));
        return dict;
    }

    private static object? FromJson(JsonElement element, string name, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException($"The value of '{name}' is nested more than {MaxDepth} deep.", nameof(element));
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var dict = new PyDict();
                foreach (var property in element.EnumerateObject()) dict.Set(property.Name, FromJson(property.Value, $"{name}.{property.Name}", depth + 1));
                return dict;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select((item, i) => FromJson(item, $"{name}[{i}]", depth + 1)).ToList();
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.TryGetInt64(out long integer) ? integer : (object)element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}
