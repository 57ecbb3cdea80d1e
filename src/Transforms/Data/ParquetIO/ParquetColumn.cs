using Microsoft.ML.Data;
using Parquet.Schema;

namespace XRight.Data.ParquetIO;

/// <summary>How one top-level Parquet field is presented as an ML.NET column.</summary>
/// <param name="Name">The column name (the Parquet field name).</param>
/// <param name="Type">The ML.NET type: a primitive type, or a variable-length vector.</param>
/// <param name="Field">The leaf data field holding the values (the element field of a list).</param>
/// <param name="ElementNullable">For vectors: whether list elements may be null.</param>
/// <param name="ContentField">For a list of role/content structs (chat messages) read as JSON text: the content leaf
/// (<paramref name="Field"/> is then the role leaf).</param>
internal sealed record ParquetColumn(string Name, DataViewType Type, DataField Field, bool ElementNullable, DataField? ContentField = null)
{
    public bool IsVector => Type is VectorDataViewType;

    /// <summary>A fresh buffer that decodes this column, one row group at a time, for one cursor.</summary>
    public ParquetColumnBuffer CreateBuffer()
    {
        if (ContentField is not null) return new MessagesColumnBuffer(this);
        var raw = Type is VectorDataViewType vector ? vector.ItemType.RawType : Type.RawType;
        if (IsVector)
        {
            if (raw == typeof(int)) return new VectorColumnBuffer<int>(this);
            if (raw == typeof(long)) return new VectorColumnBuffer<long>(this);
            if (raw == typeof(float)) return new VectorColumnBuffer<float>(this);
            if (raw == typeof(double)) return new VectorColumnBuffer<double>(this);
        }
        else
        {
            if (raw == typeof(ReadOnlyMemory<char>)) return new ScalarColumnBuffer<ReadOnlyMemory<char>>(this);
            if (raw == typeof(int)) return new ScalarColumnBuffer<int>(this);
            if (raw == typeof(long)) return new ScalarColumnBuffer<long>(this);
            if (raw == typeof(float)) return new ScalarColumnBuffer<float>(this);
            if (raw == typeof(double)) return new ScalarColumnBuffer<double>(this);
            if (raw == typeof(bool)) return new ScalarColumnBuffer<bool>(this);
        }
        throw new InvalidOperationException($"Column '{Name}' has type {Type}, which the schema mapper should have rejected.");
    }
}
