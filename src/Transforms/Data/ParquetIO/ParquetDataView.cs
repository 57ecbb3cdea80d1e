using Microsoft.ML;
using Microsoft.ML.Data;

namespace XRight.Data.ParquetIO;

/// <summary>
/// A lazy view over a Parquet file: the footer is read here, the data only by cursors, one row group
/// at a time and only for the columns a cursor activates.
/// </summary>
internal sealed class ParquetDataView : IFileDataView
{
    private readonly long _rowCount;

    public ParquetDataView(string path, long maxColumnChunkBytes = DataOperationsCatalogExtensions.DefaultMaxColumnChunkBytes)
    {
        SourcePath = path;
        MaxColumnChunkBytes = maxColumnChunkBytes;
        var reader = ParquetFile.Open(path);
        try
        {
            Columns = ParquetSchemaMapper.Map(path, ParquetFile.ReadSchema(reader, path));
            _rowCount = reader.RowGroups.Sum(group => group.RowCount);
        }
        finally
        {
            ParquetFile.Close(reader);
        }

        var builder = new DataViewSchema.Builder();
        foreach (var column in Columns) builder.AddColumn(column.Name, column.Type);
        Schema = builder.ToSchema();
    }

    public string SourcePath { get; }

    /// <summary>The largest uncompressed column chunk a cursor reads.</summary>
    public long MaxColumnChunkBytes { get; }

    /// <summary>The columns in schema order, as mapped when the view was made.</summary>
    public IReadOnlyList<ParquetColumn> Columns { get; }

    public DataViewSchema Schema { get; }

    // Rows come in file order; shuffling is left to ML.NET's shuffle transform.
    public bool CanShuffle => false;

    public long? GetRowCount() => _rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Columns.Count];
        foreach (var column in columnsNeeded)
        {
            if ((uint)column.Index >= (uint)active.Length)
                throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{column.Name}' (index {column.Index}) is not a column of '{SourcePath}'.");
            active[column.Index] = true;
        }
        return new ParquetRowCursor(this, active);
    }

    // One cursor: row groups are decoded on demand, so there is no cheap split to parallelise over.
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
