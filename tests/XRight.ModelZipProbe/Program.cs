// Usage: XRight.ModelZipProbe <model.zip> <input.jsonl> <output.jsonl>
// Loads the model with a fresh MLContext, applies it to the input rows (text columns) and writes every
// visible output column of every row as JSON, one object per line.
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: XRight.ModelZipProbe <model.zip> <input.jsonl> <output.jsonl>");
    return 2;
}
var ml = new MLContext(seed: 1);
ml.ComponentCatalog.RegisterXRight();
var model = ml.Model.Load(args[0], out _);
var input = ml.Data.LoadFromJsonLines(args[1]);
File.WriteAllLines(args[2], ModelZipRows.Read(model.Transform(input)).Select(r => r.ToJsonString()));
return 0;

/// <summary>Every visible column of a view as JSON objects (shared with the tests, which compare in-process output).</summary>
public static class ModelZipRows
{
    public static IEnumerable<JsonObject> Read(IDataView view)
    {
        var columns = view.Schema.Where(c => !c.IsHidden).ToArray();
        using var cursor = view.GetRowCursor(columns);
        var readers = columns.Select(c => Reader(cursor, c)).ToArray();
        while (cursor.MoveNext())
        {
            var row = new JsonObject();
            for (int i = 0; i < columns.Length; i++) row[columns[i].Name] = readers[i]();
            yield return row;
        }
    }

    private static Func<JsonNode?> Reader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = column.Type is VectorDataViewType v ? v.ItemType.RawType : column.Type.RawType;
        bool vector = column.Type is VectorDataViewType;
        if (type == typeof(ReadOnlyMemory<char>) && !vector) return Scalar<ReadOnlyMemory<char>>(cursor, column, x => x.ToString());
        if (type == typeof(bool) && !vector) return Scalar<bool>(cursor, column, x => x);
        if (type == typeof(float) && !vector) return Scalar<float>(cursor, column, x => x);
        if (type == typeof(double) && !vector) return Scalar<double>(cursor, column, x => x);
        if (type == typeof(int) && vector) return Vector<int>(cursor, column);
        if (type == typeof(float) && vector) return Vector<float>(cursor, column);
        throw new NotSupportedException($"Column '{column.Name}' of type {column.Type} is not handled by the probe.");
    }

    private static Func<JsonNode?> Scalar<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, JsonNode?> convert)
    {
        var getter = cursor.GetGetter<T>(column);
        return () => { T value = default!; getter(ref value); return convert(value); };
    }

    private static Func<JsonNode?> Vector<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<VBuffer<T>>(column);
        return () => { VBuffer<T> value = default; getter(ref value); return JsonSerializer.SerializeToNode(value.DenseValues().ToArray()); };
    }
}
