using Microsoft.ML;
using Microsoft.ML.Data;

namespace XRight.Data.JsonLines;

/// <summary>
/// A view over a JSON Lines file. Streaming: every cursor reads the file again and converts only its
/// active columns. In memory: the file is read and fully checked once, when the view is made.
/// </summary>
internal sealed class JsonLinesDataView : IFileDataView
{
    private readonly JsonLinesColumnValues[]? _table;
    private readonly int _rowCount;

    private readonly int _maxLineBytes;

    private JsonLinesDataView(string path, IReadOnlyList<JsonLinesColumn> columns, JsonLinesColumnValues[]? table, int rowCount, int maxLineBytes)
    {
        SourcePath = path;
        _maxLineBytes = maxLineBytes;
        Columns = columns;
        _table = table;
        _rowCount = rowCount;
        var builder = new DataViewSchema.Builder();
        foreach (var column in columns) builder.AddColumn(column.Name, column.Type);
        Schema = builder.ToSchema();
    }

    public static JsonLinesDataView Open(string path, JsonLinesOptions options)
    {
        options.Validate();
        if (!File.Exists(path)) throw new FileNotFoundException($"JSON Lines file '{path}' does not exist.", path);
        var columns = JsonLinesSchemaInference.Infer(path, options);
        if (options.Streaming) return new JsonLinesDataView(path, columns, table: null, rowCount: 0, options.MaxLineBytes);

        var table = columns.Select(column => JsonLinesColumnValues.Create(column, path)).ToArray();
        var rows = 0;
        foreach (var row in JsonLinesReader.ReadObjects(path, options.MaxLineBytes))
        {
            foreach (var values in table) values.Read(row, rows);
            rows = checked(rows + 1);
        }
        return new JsonLinesDataView(path, columns, table, rows, options.MaxLineBytes);
    }

    public string SourcePath { get; }

    public IReadOnlyList<JsonLinesColumn> Columns { get; }

    public DataViewSchema Schema { get; }

    // Rows come in file order; shuffling is left to ML.NET's shuffle transform.
    public bool CanShuffle => false;

    /// <summary>Known when held in memory; a streamed file is not counted ahead of time.</summary>
    public long? GetRowCount() => _table is null ? null : _rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var values = new JsonLinesColumnValues?[Columns.Count];
        foreach (var column in columnsNeeded)
        {
            if ((uint)column.Index >= (uint)values.Length)
                throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{column.Name}' (index {column.Index}) is not a column of '{SourcePath}'.");
            values[column.Index] = _table?[column.Index] ?? JsonLinesColumnValues.Create(Columns[column.Index], SourcePath);
        }
        return _table is null
            ? new JsonLinesRowCursor(Schema, values, JsonLinesReader.ReadObjects(SourcePath, _maxLineBytes).GetEnumerator())
            : new JsonLinesRowCursor(Schema, values, _rowCount);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
