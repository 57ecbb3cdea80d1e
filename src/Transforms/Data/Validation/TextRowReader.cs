using Microsoft.ML;
using Microsoft.ML.Data;

namespace XRight.Data.Validation;

/// <summary>
/// Reads named text columns of a data view row by row, after checking that each exists and is text.
/// </summary>
internal sealed class TextRowReader : IDisposable
{
    private readonly DataViewRowCursor _cursor;
    private readonly ValueGetter<ReadOnlyMemory<char>>[] _getters;
    private readonly ReadOnlyMemory<char>[] _values;

    public TextRowReader(IDataView data, IReadOnlyList<string> columnNames)
    {
        Source = DataSourceName.Of(data);
        var columns = columnNames.Select(name => RequireText(data.Schema, name, Source)).ToArray();
        _cursor = data.GetRowCursor(columns);
        _getters = columns.Select(_cursor.GetGetter<ReadOnlyMemory<char>>).ToArray();
        _values = new ReadOnlyMemory<char>[columns.Length];
    }

    /// <summary>How errors name the data: the file path, or "in-memory data".</summary>
    public string Source { get; }

    /// <summary>1-based number of the current row.</summary>
    public long RowNumber => _cursor.Position + 1;

    /// <summary>The current row's value of the i-th requested column.</summary>
    public ReadOnlyMemory<char> this[int index] => _values[index];

    public bool MoveNext()
    {
        if (!_cursor.MoveNext()) return false;
        for (var i = 0; i < _getters.Length; i++) _getters[i](ref _values[i]);
        return true;
    }

    public void Dispose() => _cursor.Dispose();

    private static DataViewSchema.Column RequireText(DataViewSchema schema, string name, string source)
    {
        if (schema.GetColumnOrNull(name) is not { } column)
        {
            var visible = schema.Where(c => !c.IsHidden).Select(c => c.Name).ToList();
            var sameButCase = visible.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            var hint = sameButCase is null ? "" :
                $" Column names are case-sensitive and '{sameButCase}' differs only in case: rename it (JsonLinesOptions.ColumnNames for JSON Lines) or name it in PostTrainingColumnNames.";
            throw new ArgumentException(
                $"{source} has no column '{name}' (expected text). Columns found: {(visible.Count == 0 ? "none" : string.Join(", ", visible.Select(n => $"'{n}'")))}.{hint}",
                "data");
        }
        if (column.Type is not TextDataViewType)
            throw new ArgumentException($"{source}: column '{name}' has type {column.Type}; expected text ({TextDataViewType.Instance}).", "data");
        return column;
    }
}
