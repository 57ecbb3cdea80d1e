using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;

namespace XRight.Data.ParquetIO;

/// <summary>
/// A list column: a variable-length vector per row. A null list and an empty list both read as an
/// empty vector.
/// </summary>
internal sealed class VectorColumnBuffer<T>(ParquetColumn column) : ParquetColumnBuffer(column)
    where T : struct
{
    private T[] _values = [];
    private int[] _rowStarts = [0];

    public override void Load(ParquetRowGroupReader rowGroup, int rowCount)
    {
        var entries = EntryCount(rowGroup);
        var present = new T[entries];
        var definition = new int[entries];
        var repetition = new int[entries];
        ReadRaw(rowGroup, present, definition, repetition);

        // Levels, one entry per element, null element, empty list or null list: repetition 0 starts a
        // row; the maximum definition level marks a present element, one less (when elements are
        // nullable) a null element, anything lower a row without elements.
        var maxDefinition = Column.Field.MaxDefinitionLevel;
        var values = new T[entries];
        var rowStarts = new int[rowCount + 1];
        int row = -1, count = 0, next = 0;
        for (var i = 0; i < entries; i++)
        {
            if (repetition[i] == 0)
            {
                if (++row >= rowCount)
                    throw new InvalidDataException($"the chunk holds more than the row group's {rowCount} rows");
                rowStarts[row] = count;
            }
            else if (row < 0)
            {
                throw new InvalidDataException("the chunk does not start at a row boundary");
            }

            if (definition[i] == maxDefinition) values[count++] = present[next++];
            else if (Column.ElementNullable && definition[i] == maxDefinition - 1) values[count++] = MissingValue<T>(row);
        }
        if (row + 1 != rowCount)
            throw new InvalidDataException($"the chunk holds {row + 1} rows, the row group {rowCount}");
        rowStarts[rowCount] = count;

        _values = values;
        _rowStarts = rowStarts;
    }

    public override Delegate CreateGetter(ParquetRowCursor cursor) =>
        (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
        {
            var row = cursor.CurrentRowInGroup;
            var start = _rowStarts[row];
            var length = _rowStarts[row + 1] - start;
            var editor = VBufferEditor.Create(ref value, length);
            _values.AsSpan(start, length).CopyTo(editor.Values);
            value = editor.Commit();
        });
}
