using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace XRight.Data.JsonLines;

/// <summary>
/// The values of one column: every row when the file is held in memory, the current row when it is
/// streamed. Reading a value checks that the key is present and the value fits the column type.
/// </summary>
internal abstract class JsonLinesColumnValues(JsonLinesColumn column, string path)
{
    protected JsonLinesColumn Column { get; } = column;

    /// <summary>Reads the column's key of <paramref name="row"/> into slot <paramref name="index"/>.</summary>
    public void Read(JsonLinesObject row, int index)
    {
        if (!row.Value.TryGetProperty(Column.Key, out var value))
            throw new InvalidDataException($"'{path}', line {row.Line}: key '{Column.Key}' (column '{Column.Name}') is missing. Every selected key must be present in every object; JsonLinesOptions.Columns selects the keys.");
        if (!TryStore(value, index))
        {
            var hint = Column.Type.Equals(NumberDataViewType.Int64) && value.ValueKind == JsonValueKind.Number
                ? $" To read every value as Double, set JsonLinesOptions.ColumnTypes[\"{Column.Key}\"] = NumberDataViewType.Double (a key is inferred as Int64 when its first value is integral)."
                : "";
            throw new InvalidDataException($"'{path}', line {row.Line}, key '{Column.Key}': column '{Column.Name}' ({Column.Type}) expects {JsonValueReader.Expected(Column.Type)}, found {JsonValueReader.Describe(value)}.{hint}");
        }
    }

    /// <summary>A getter of the column's raw type reading slot <paramref name="currentIndex"/>().</summary>
    public abstract Delegate CreateGetter(Func<int> currentIndex);

    protected abstract bool TryStore(JsonElement value, int index);

    public static JsonLinesColumnValues Create(JsonLinesColumn column, string path) =>
        column.Type switch
        {
            TextDataViewType when column.AsJson => new JsonLinesTypedValues<ReadOnlyMemory<char>>(column, path, JsonValueReader.TryReadJson),
            TextDataViewType => new JsonLinesTypedValues<ReadOnlyMemory<char>>(column, path, JsonValueReader.TryRead),
            BooleanDataViewType => new JsonLinesTypedValues<bool>(column, path, JsonValueReader.TryRead),
            _ when column.Type.Equals(NumberDataViewType.Int64) => new JsonLinesTypedValues<long>(column, path, JsonValueReader.TryRead),
            _ when column.Type.Equals(NumberDataViewType.Double) => new JsonLinesTypedValues<double>(column, path, JsonValueReader.TryRead),
            _ => throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, which option validation should have rejected."),
        };
}
