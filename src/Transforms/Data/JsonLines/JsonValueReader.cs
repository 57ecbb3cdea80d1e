using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;

namespace XRight.Data.JsonLines;

/// <summary>Converts JSON values to the ML.NET values of a column type.</summary>
internal static class JsonValueReader
{
    /// <summary>A string; null becomes empty text (ML.NET text has no null).</summary>
    public static bool TryRead(JsonElement value, out ReadOnlyMemory<char> text)
    {
        text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString().AsMemory(),
            JsonValueKind.Null => ReadOnlyMemory<char>.Empty,
            _ => default,
        };
        return value.ValueKind is JsonValueKind.String or JsonValueKind.Null;
    }

    /// <summary>Any value as its JSON text (a list of messages, say); null becomes empty text.</summary>
    public static bool TryReadJson(JsonElement value, out ReadOnlyMemory<char> text)
    {
        text = value.ValueKind == JsonValueKind.Null ? ReadOnlyMemory<char>.Empty : value.GetRawText().AsMemory();
        return true;
    }

    /// <summary>An integral number that fits in 64 bits.</summary>
    public static bool TryRead(JsonElement value, out long number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out number);
    }

    /// <summary>A finite number; null becomes NaN, ML.NET's missing value for floating point.</summary>
    public static bool TryRead(JsonElement value, out double number)
    {
        number = double.NaN;
        return value.ValueKind == JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out number));
    }

    /// <summary>true or false.</summary>
    public static bool TryRead(JsonElement value, out bool flag)
    {
        flag = value.ValueKind == JsonValueKind.True;
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False;
    }

    /// <summary>The column type a first non-null value implies, or null for a value no column can hold.</summary>
    public static DataViewType? InferType(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => TextDataViewType.Instance,
        JsonValueKind.Number => value.TryGetInt64(out _) ? NumberDataViewType.Int64 : NumberDataViewType.Double,
        JsonValueKind.True or JsonValueKind.False => BooleanDataViewType.Instance,
        _ => null,
    };

    /// <summary>What a column of this type accepts, for error messages.</summary>
    public static string Expected(DataViewType type) =>
        type is TextDataViewType ? "a string or null"
        : type.Equals(NumberDataViewType.Int64) ? "an integer that fits in 64 bits"
        : type.Equals(NumberDataViewType.Double) ? "a finite number or null"
        : "true or false";

    /// <summary>A short description of a value, for error messages.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => string.Create(CultureInfo.InvariantCulture, $"the number {value.GetRawText()}"),
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString(),
    };
}
