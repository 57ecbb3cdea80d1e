using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;

namespace XRight.Data.ParquetIO;

/// <summary>Collects one column's values for the row group being written, then writes them.</summary>
internal abstract class ParquetWriteColumn(DataViewSchema.Column column)
{
    private const string Supported =
        "supported are text, Int32, Int64, Single, Double, Boolean and vectors of Int32, Int64, Single or Double";

    protected DataViewSchema.Column Column { get; } = column;

    /// <summary>The schema field for this column (a data field, or a list field for vectors).</summary>
    public abstract Field Field { get; }

    /// <summary>Takes the getter from the cursor that will feed <see cref="Append"/>.</summary>
    public abstract void Bind(DataViewRow row);

    /// <summary>Adds the cursor's current value to the pending row group.</summary>
    public abstract void Append();

    /// <summary>Writes the pending values as this column's chunk of <paramref name="rowGroup"/> and clears them.</summary>
    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup);

    public static ParquetWriteColumn For(DataViewSchema.Column column)
    {
        var type = column.Type;
        if (type is TextDataViewType) return new TextWriteColumn(column);
        if (type is VectorDataViewType vector)
        {
            var item = vector.ItemType.RawType;
            if (item == typeof(int)) return new VectorWriteColumn<int>(column);
            if (item == typeof(long)) return new VectorWriteColumn<long>(column);
            if (item == typeof(float)) return new VectorWriteColumn<float>(column);
            if (item == typeof(double)) return new VectorWriteColumn<double>(column);
        }
        else if (type is NumberDataViewType or BooleanDataViewType)
        {
            var raw = type.RawType;
            if (raw == typeof(int)) return new ScalarWriteColumn<int>(column);
            if (raw == typeof(long)) return new ScalarWriteColumn<long>(column);
            if (raw == typeof(float)) return new ScalarWriteColumn<float>(column);
            if (raw == typeof(double)) return new ScalarWriteColumn<double>(column);
            if (raw == typeof(bool)) return new ScalarWriteColumn<bool>(column);
        }
        throw new NotSupportedException($"Column '{column.Name}' has type {type}, which cannot be saved to Parquet; {Supported}.");
    }
}
