using System.Buffers;
using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;

namespace XRight.Data.ParquetIO;

/// <summary>A numeric or boolean column, written as required values.</summary>
internal sealed class ScalarWriteColumn<T>(DataViewSchema.Column column) : ParquetWriteColumn(column)
    where T : struct
{
    private readonly DataField _field = new(column.Name, typeof(T), isNullable: false);
    private readonly ArrayBufferWriter<T> _values = new();
    private ValueGetter<T>? _getter;

    public override Field Field => _field;

    public override void Bind(DataViewRow row) => _getter = row.GetGetter<T>(Column);

    public override void Append()
    {
        _getter!(ref _values.GetSpan(1)[0]);
        _values.Advance(1);
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup)
    {
        await rowGroup.WriteAsync<T>(_field, _values.WrittenMemory);
        _values.Clear();
    }
}
