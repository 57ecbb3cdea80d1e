using Microsoft.ML.Data;
using Parquet.Schema;

namespace XRight.Data.ParquetIO;

/// <summary>Maps the top-level fields of a Parquet schema to ML.NET columns, or says why it cannot.</summary>
internal static class ParquetSchemaMapper
{
    private const string Supported =
        "supported are UTF-8 strings, int32, int64, float, double, boolean, lists of int32, int64, float or double, and lists of {role, content} string structs (chat messages, read as JSON text)";

    public static IReadOnlyList<ParquetColumn> Map(string path, ParquetSchema schema) =>
        schema.Fields.Select(field => Map(path, field)).ToArray();

    private static ParquetColumn Map(string path, Field field) => field switch
    {
        DataField { IsArray: false } scalar when IsPlain(scalar) && ScalarType(scalar.ClrType) is { } type =>
            new ParquetColumn(scalar.Name, type, scalar, ElementNullable: false),
        // A legacy repeated primitive: elements are always present.
        DataField { IsArray: true, MaxRepetitionLevel: 1 } repeated when IsPlain(repeated) && ElementType(repeated.ClrType) is { } item =>
            new ParquetColumn(repeated.Name, new VectorDataViewType(item), repeated, ElementNullable: false),
        ListField { Item: DataField { IsArray: false, MaxRepetitionLevel: 1 } element } list when IsPlain(element) && ElementType(element.ClrType) is { } item =>
            new ParquetColumn(list.Name, new VectorDataViewType(item), element, ElementNullable: element.IsNullable),
        // Chat messages: a list of structs with a string role and a string content, read as the JSON list of them.
        ListField { Item: StructField { Fields.Count: 2 } message } list when Leaf(message, "role") is { } role && Leaf(message, "content") is { } content =>
            new ParquetColumn(list.Name, TextDataViewType.Instance, role, ElementNullable: false, ContentField: content),
        _ => throw new NotSupportedException($"'{path}': column '{field.Name}' holds {Describe(field)}, which cannot be read; {Supported}."),
    };

    private static DataField? Leaf(StructField message, string name) =>
        message.Fields.SingleOrDefault(f => f.Name == name) is DataField { IsArray: false, MaxRepetitionLevel: 1 } leaf && IsPlain(leaf)
            && (leaf.ClrType == typeof(string) || leaf.ClrType == typeof(ReadOnlyMemory<char>)) ? leaf : null;

    // Subclasses (date/time, decimal, time of day) carry logical types whose physical values are not what they mean.
    private static bool IsPlain(DataField field) => field.GetType() == typeof(DataField);

    private static DataViewType? ScalarType(Type clr) =>
        clr == typeof(string) || clr == typeof(ReadOnlyMemory<char>) ? TextDataViewType.Instance
        : clr == typeof(bool) ? BooleanDataViewType.Instance
        : ElementType(clr);

    private static PrimitiveDataViewType? ElementType(Type clr) =>
        clr == typeof(int) ? NumberDataViewType.Int32
        : clr == typeof(long) ? NumberDataViewType.Int64
        : clr == typeof(float) ? NumberDataViewType.Single
        : clr == typeof(double) ? NumberDataViewType.Double
        : null;

    private static string Describe(Field field) => field switch
    {
        DataField { IsArray: true } data => $"repeated {NameOf(data.ClrType)} values",
        DataField data when !IsPlain(data) => $"{data.GetType().Name.Replace("DataField", "", StringComparison.Ordinal)} values ({NameOf(data.ClrType)})",
        DataField data => $"{NameOf(data.ClrType)} values",
        ListField list => $"lists of {Describe(list.Item)}",
        MapField => "maps",
        StructField => "structs",
        _ => $"{field.SchemaType} values",
    };

    private static string NameOf(Type clr) => clr == typeof(ReadOnlyMemory<byte>) || clr == typeof(byte[]) ? "byte array" : clr.Name;
}
