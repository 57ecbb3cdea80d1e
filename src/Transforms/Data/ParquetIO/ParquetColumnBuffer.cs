using Parquet;

namespace XRight.Data.ParquetIO;

/// <summary>The decoded values of one column for the row group a cursor is on.</summary>
internal abstract class ParquetColumnBuffer(ParquetColumn column)
{
    protected ParquetColumn Column { get; } = column;

    /// <summary>Decodes the column's chunk in <paramref name="rowGroup"/>, replacing the previous row group's values.</summary>
    public abstract void Load(ParquetRowGroupReader rowGroup, int rowCount);

    /// <summary>A <c>ValueGetter</c> of the column's raw type that reads the cursor's current row.</summary>
    public abstract Delegate CreateGetter(ParquetRowCursor cursor);

    /// <summary>Number of level entries (values, nulls and empty lists) the chunk holds.</summary>
    protected int EntryCount(ParquetRowGroupReader rowGroup) => EntryCount(rowGroup, Column.Field);

    /// <summary>Number of level entries the chunk of <paramref name="field"/> holds.</summary>
    protected static int EntryCount(ParquetRowGroupReader rowGroup, Parquet.Schema.DataField field)
    {
        var meta = rowGroup.GetMetadata(field)?.MetaData
            ?? throw new InvalidDataException("the row group holds no chunk for this column");
        if (meta.NumValues is < 0 or > int.MaxValue)
            throw new InvalidDataException($"the chunk claims {meta.NumValues} values");
        return (int)meta.NumValues;
    }

    /// <summary>Reads values (present ones only, packed) and the levels the field has.</summary>
    protected void ReadRaw<T>(ParquetRowGroupReader rowGroup, T[] values, int[]? definitionLevels, int[]? repetitionLevels)
        where T : struct => ReadRaw(rowGroup, Column.Field, values, definitionLevels, repetitionLevels);

    /// <summary>Reads values and levels of <paramref name="field"/>.</summary>
    protected static void ReadRaw<T>(ParquetRowGroupReader rowGroup, Parquet.Schema.DataField field, T[] values, int[]? definitionLevels, int[]? repetitionLevels)
        where T : struct =>
        SyncBridge.Run(() => rowGroup.ReadRawAsync(field, values.AsMemory(),
            definitionLevels?.AsMemory(), repetitionLevels?.AsMemory()).AsTask());

    /// <summary>The value a null becomes; throws for types that have no missing value in ML.NET.</summary>
    protected static T MissingValue<T>(int rowInGroup)
    {
        if (typeof(T) == typeof(ReadOnlyMemory<char>)) return default!; // ML.NET text has no null: empty text
        if (typeof(T) == typeof(float)) return (T)(object)float.NaN;
        if (typeof(T) == typeof(double)) return (T)(object)double.NaN;
        throw new InvalidDataException($"row {rowInGroup + 1} of the row group holds a null, and ML.NET {typeof(T).Name} has no missing value");
    }
}
