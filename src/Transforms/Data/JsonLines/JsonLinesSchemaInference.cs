using System.Text.Json;
using Microsoft.ML.Data;

namespace XRight.Data.JsonLines;

/// <summary>
/// Decides the columns of a JSON Lines file from the options and the first object(s): which keys,
/// under which names, with which types.
/// </summary>
internal static class JsonLinesSchemaInference
{
    private static readonly DataViewType[] AllowedTypes =
        [TextDataViewType.Instance, NumberDataViewType.Int64, NumberDataViewType.Double, BooleanDataViewType.Instance];

    /// <summary>
    /// Reads objects until every selected key without a given type has shown a non-null value (usually
    /// the first object only); a key that is null throughout is text.
    /// </summary>
    public static IReadOnlyList<JsonLinesColumn> Infer(string path, JsonLinesOptions options)
    {
        CheckTypes(options);
        if (options.Columns is not null) CheckSelection(options.Columns);
        var given = options.ColumnTypes ?? new Dictionary<string, DataViewType>();

        using var rows = JsonLinesReader.ReadObjects(path, options.MaxLineBytes).GetEnumerator();
        if (!rows.MoveNext())
        {
            var declared = options.Columns?.ToList()
                ?? throw new InvalidDataException($"'{path}' holds no JSON object, so its columns cannot be inferred; name them and their types in JsonLinesOptions.Columns and ColumnTypes.");
            CheckOptionKeys(options, declared, path);
            return Build(options, declared, given);
        }

        var first = rows.Current;
        var keys = options.Columns?.ToList()
            ?? first.Value.EnumerateObject().Select(property => property.Name).Distinct(StringComparer.Ordinal).ToList();
        CheckOptionKeys(options, keys, path);
        var missing = keys.FirstOrDefault(key => !first.Value.TryGetProperty(key, out _));
        if (missing is not null)
            throw new InvalidDataException($"'{path}', line {first.Line}: key '{missing}' is missing from the first object, but JsonLinesOptions.Columns selects it.");

        var types = keys.Where(given.ContainsKey).ToDictionary(key => key, key => given[key], StringComparer.Ordinal);
        foreach (var key in options.JsonTextColumns ?? []) types[key] = TextDataViewType.Instance;
        do
        {
            var row = rows.Current;
            foreach (var key in keys.Where(key => !types.ContainsKey(key)))
            {
                if (!row.Value.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) continue;
                types[key] = JsonValueReader.InferType(value)
                    ?? throw new InvalidDataException($"'{path}', line {row.Line}, key '{key}': found {JsonValueReader.Describe(value)}; only strings, numbers, booleans and null can be read.");
            }
        }
        while (types.Count < keys.Count && rows.MoveNext());

        return Build(options, keys, types);
    }

    // Keys with no type by now were null in every object read: they are text.
    private static List<JsonLinesColumn> Build(JsonLinesOptions options, List<string> keys, IReadOnlyDictionary<string, DataViewType> types)
    {
        var json = (options.JsonTextColumns ?? []).ToHashSet(StringComparer.Ordinal);
        var columns = keys.Select(key => new JsonLinesColumn(
            key,
            options.ColumnNames?.GetValueOrDefault(key) ?? key,
            json.Contains(key) ? TextDataViewType.Instance : types.GetValueOrDefault(key) ?? TextDataViewType.Instance,
            json.Contains(key))).ToList();
        CheckNames(columns);
        return columns;
    }

    private static void CheckTypes(JsonLinesOptions options)
    {
        foreach (var key in options.JsonTextColumns ?? [])
        {
            if (options.ColumnTypes?.TryGetValue(key, out var type) == true && type is not TextDataViewType)
                throw new ArgumentException($"JsonLinesOptions.JsonTextColumns lists '{key}', which is read as JSON text, but ColumnTypes gives it {type}.", nameof(options));
        }
        foreach (var (key, type) in options.ColumnTypes ?? new Dictionary<string, DataViewType>())
        {
            if (!AllowedTypes.Any(allowed => allowed.Equals(type)))
                throw new ArgumentException($"JsonLinesOptions.ColumnTypes[\"{key}\"] is {type?.ToString() ?? "null"}; expected TextDataViewType, NumberDataViewType.Int64, NumberDataViewType.Double or BooleanDataViewType.", nameof(options));
        }
    }

    private static void CheckSelection(IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
            throw new ArgumentException("JsonLinesOptions.Columns is empty; list at least one key, or leave it null to read every key of the first object.", "options");
        if (keys.Any(string.IsNullOrEmpty))
            throw new ArgumentException("JsonLinesOptions.Columns holds a null or empty key.", "options");
        var duplicate = keys.GroupBy(key => key, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"JsonLinesOptions.Columns lists key '{duplicate.Key}' more than once.", "options");
    }

    // Names and types may only be given for keys that are read, so a typo does not pass silently.
    private static void CheckOptionKeys(JsonLinesOptions options, List<string> keys, string path)
    {
        var selected = keys.ToHashSet(StringComparer.Ordinal);
        var origin = options.Columns is null ? $"the keys of the first object in '{path}'" : "JsonLinesOptions.Columns";
        foreach (var (option, given) in new[] { ("ColumnNames", options.ColumnNames?.Keys), ("ColumnTypes", options.ColumnTypes?.Keys), ("JsonTextColumns", options.JsonTextColumns?.AsEnumerable()) })
        {
            var unknown = given?.FirstOrDefault(key => !selected.Contains(key));
            if (unknown is not null)
                throw new ArgumentException($"JsonLinesOptions.{option} names key '{unknown}', which is not among {origin}: {string.Join(", ", keys.Select(k => $"'{k}'"))}. Keys are case-sensitive.", "options");
        }
    }

    private static void CheckNames(List<JsonLinesColumn> columns)
    {
        var empty = columns.FirstOrDefault(column => string.IsNullOrWhiteSpace(column.Name));
        if (empty is not null)
            throw new ArgumentException($"JsonLinesOptions.ColumnNames maps key '{empty.Key}' to an empty column name.", "options");
        var clash = columns.GroupBy(column => column.Name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        if (clash is not null)
            throw new ArgumentException($"Keys {string.Join(" and ", clash.Select(c => $"'{c.Key}'"))} would both become column '{clash.Key}'; give them different names in JsonLinesOptions.ColumnNames.", "options");
    }
}
