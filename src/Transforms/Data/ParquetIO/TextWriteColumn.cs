using System.Buffers;
using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;

namespace XRight.Data.ParquetIO;

/// <summary>A text column, written as required UTF-8 strings (ML.NET text has no null).</summary>
internal sealed class TextWriteColumn(DataViewSchema.Column column) : ParquetWriteColumn(column)
{
    private readonly DataField _field = new(column.Name, typeof(string), isNullable: false);
    private readonly ArrayBufferWriter<ReadOnlyMemory<char>> _values = new();
    private ValueGetter<ReadOnlyMemory<char>>? _getter;
    private ReadOnlyMemory<char> _current;

    public override Field Field => _field;

    public override void Bind(DataViewRow row) => _getter = row.GetGetter<ReadOnlyMemory<char>>(Column);

    public override void Append()
    {
        _getter!(ref _current);
        // Copied: a getter may hand out memory it reuses for the next row.
        _values.GetSpan(1)[0] = _current.ToString().AsMemory();
        _values.Advance(1);
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup)
    {
        await rowGroup.WriteAsync<ReadOnlyMemory<char>>(_field, _values.WrittenMemory);
        _values.Clear();
    }
}
