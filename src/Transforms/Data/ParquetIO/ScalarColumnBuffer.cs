using Microsoft.ML;
using Parquet;

namespace XRight.Data.ParquetIO;

/// <summary>A column with one value per row.</summary>
internal sealed class ScalarColumnBuffer<T>(ParquetColumn column) : ParquetColumnBuffer(column)
    where T : struct
{
    private T[] _values = [];

    public override void Load(ParquetRowGroupReader rowGroup, int rowCount)
    {
        var entries = EntryCount(rowGroup);
        if (entries != rowCount)
            throw new InvalidDataException($"the chunk holds {entries} values for {rowCount} rows");

        var values = new T[rowCount];
        var maxDefinition = Column.Field.MaxDefinitionLevel;
        if (maxDefinition == 0)
        {
            ReadRaw(rowGroup, values, null, null);
        }
        else
        {
            var present = new T[rowCount];
            var definition = new int[rowCount];
            ReadRaw(rowGroup, present, definition, null);
            for (int row = 0, next = 0; row < rowCount; row++)
                values[row] = definition[row] == maxDefinition ? present[next++] : MissingValue<T>(row);
        }
        _values = values;
    }

    public override Delegate CreateGetter(ParquetRowCursor cursor) =>
        (ValueGetter<T>)((ref T value) => value = _values[cursor.CurrentRowInGroup]);
}
