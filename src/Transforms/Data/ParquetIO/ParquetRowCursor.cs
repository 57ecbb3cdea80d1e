using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;

namespace XRight.Data.ParquetIO;

/// <summary>
/// Walks a Parquet file row group by row group, decoding the active columns of each group when the
/// cursor enters it. The file stays open until the cursor is disposed or runs past the last row.
/// </summary>
internal sealed class ParquetRowCursor : DataViewRowCursor
{
    private readonly ParquetDataView _view;
    private readonly ParquetColumnBuffer?[] _buffers;
    private ParquetReader? _reader;
    private int _rowGroup = -1;
    private int _rowInGroup = -1;
    private int _rowsInGroup;
    private long _position = -1;

    public ParquetRowCursor(ParquetDataView view, bool[] active)
    {
        _view = view;
        _reader = ParquetFile.Open(view.SourcePath);
        try
        {
            var columns = CurrentColumns(_reader, view);
            _buffers = columns.Select((column, i) => active[i] ? column.CreateBuffer() : null).ToArray();
        }
        catch
        {
            ParquetFile.Close(_reader);
            throw;
        }
    }

    public override DataViewSchema Schema => _view.Schema;

    public override long Position => _position;

    public override long Batch => 0;

    /// <summary>Index of the current row within the loaded row group.</summary>
    internal int CurrentRowInGroup => _position >= 0
        ? _rowInGroup
        : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first, and read values only while it returns true.");

    public override bool IsColumnActive(DataViewSchema.Column column) => _buffers[IndexOf(column)] is not null;

    public override ValueGetter<DataViewRowId> GetIdGetter() =>
        (ref DataViewRowId id) =>
        {
            _ = CurrentRowInGroup;
            id = new DataViewRowId((ulong)_position, 0);
        };

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        var buffer = _buffers[IndexOf(column)]
            ?? throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; pass it to GetRowCursor.");
        return buffer.CreateGetter(this) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type} (values of {column.Type.RawType}); it cannot be read as {typeof(TValue)}.");
    }

    public override bool MoveNext()
    {
        if (_reader is null) return false;
        while (_rowInGroup + 1 >= _rowsInGroup)
        {
            if (_rowGroup + 1 >= _reader.RowGroupCount)
            {
                Close();
                return false;
            }
            LoadRowGroup(++_rowGroup);
        }
        _rowInGroup++;
        _position++;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close();
        base.Dispose(disposing);
    }

    private void LoadRowGroup(int index)
    {
        var rowGroup = _reader!.OpenRowGroupReader(index);
        var rows = rowGroup.RowCount;
        if (rows is < 0 or > int.MaxValue)
            throw new InvalidDataException($"'{_view.SourcePath}': row group {index} claims {rows} rows.");
        for (var i = 0; i < _buffers.Length; i++)
        {
            if (_buffers[i] is null) continue;
            // The footer's size of the chunk decides before anything of it is read.
            var size = rowGroup.GetMetadata(_view.Columns[i].Field)?.MetaData?.TotalUncompressedSize ?? 0;
            if (size > _view.MaxColumnChunkBytes)
                throw new InvalidDataException($"'{_view.SourcePath}': column '{_view.Columns[i].Name}' in row group {index} holds {size} bytes uncompressed, " +
                    $"more than the limit of {_view.MaxColumnChunkBytes} bytes (LoadFromParquet's maxColumnChunkBytes); it is refused rather than read into memory.");
            try
            {
                _buffers[i]?.Load(rowGroup, (int)rows);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw ParquetFile.ReadError(_view.SourcePath, index, _view.Columns[i].Name, e);
            }
        }
        _rowsInGroup = (int)rows;
        _rowInGroup = -1;
    }

    private void Close()
    {
        if (_reader is not null) ParquetFile.Close(_reader);
        _reader = null;
        _position = -1;
    }

    private int IndexOf(DataViewSchema.Column column)
    {
        if ((uint)column.Index >= (uint)_buffers.Length)
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (index {column.Index}) is not a column of '{_view.SourcePath}'.");
        return column.Index;
    }

    // The cursor reads with the fields of the file as it is now; if it was replaced by a file with
    // other columns since the view was made, say so rather than decode with the wrong fields.
    private static IReadOnlyList<ParquetColumn> CurrentColumns(ParquetReader reader, ParquetDataView view)
    {
        var columns = ParquetSchemaMapper.Map(view.SourcePath, ParquetFile.ReadSchema(reader, view.SourcePath));
        var same = columns.Count == view.Columns.Count
            && columns.Zip(view.Columns).All(pair => pair.First.Name == pair.Second.Name && pair.First.Type.Equals(pair.Second.Type));
        if (!same)
            throw new InvalidDataException($"'{view.SourcePath}' has changed since it was loaded: its columns are now {Describe(columns)}, they were {Describe(view.Columns)}.");
        return columns;
    }

    private static string Describe(IEnumerable<ParquetColumn> columns) =>
        string.Join(", ", columns.Select(c => $"{c.Name} ({c.Type})"));
}
