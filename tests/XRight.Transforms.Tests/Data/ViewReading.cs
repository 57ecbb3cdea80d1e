using Microsoft.ML;
using Microsoft.ML.Data;

namespace XRight.Tests.Data;

/// <summary>Reads whole columns of a data view through one cursor that activates only that column.</summary>
internal static class ViewReading
{
    public static List<T> Values<T>(IDataView view, string name)
    {
        var column = view.Schema[name];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        var values = new List<T>();
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(value);
        }
        return values;
    }

    public static List<string> Texts(IDataView view, string name) =>
        Values<ReadOnlyMemory<char>>(view, name).Select(text => text.ToString()).ToList();

    public static List<T[]> Vectors<T>(IDataView view, string name)
    {
        var column = view.Schema[name];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<T>>(column);
        var values = new List<T[]>();
        VBuffer<T> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(value.DenseValues().ToArray());
        }
        return values;
    }

    public static string[] ColumnNames(IDataView view) => view.Schema.Select(c => c.Name).ToArray();
}
