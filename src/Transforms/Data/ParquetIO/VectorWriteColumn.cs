using System.Buffers;
using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;

namespace XRight.Data.ParquetIO;

/// <summary>
/// A vector column, written as a standard three-level Parquet list of required elements. Sparse
/// vectors are written densely.
/// </summary>
internal sealed class VectorWriteColumn<T> : ParquetWriteColumn
    where T : struct
{
    private readonly DataField _element;
    private readonly ListField _list;
    private readonly ArrayBufferWriter<T> _values = new();
    private readonly ArrayBufferWriter<int> _definition = new();
    private readonly ArrayBufferWriter<int> _repetition = new();
    private ValueGetter<VBuffer<T>>? _getter;
    private VBuffer<T> _current;

    public VectorWriteColumn(DataViewSchema.Column column) : base(column)
    {
        _element = new DataField(ListField.ElementName, typeof(T), isNullable: false);
        _list = new ListField(column.Name, _element);
    }

    public override Field Field => _list;

    public override void Bind(DataViewRow row) => _getter = row.GetGetter<VBuffer<T>>(Column);

    public override void Append()
    {
        _getter!(ref _current);
        // Levels are read from the element once the schema has attached it: the maximum marks an
        // element, one less a present but empty list; repetition 0 starts a row, 1 continues it.
        var element = _element.MaxDefinitionLevel;
        var length = _current.Length;
        if (length == 0)
        {
            Add(_definition, element - 1);
            Add(_repetition, 0);
            return;
        }
        if (_current.IsDense) _values.Write(_current.GetValues());
        else foreach (var value in _current.DenseValues()) Add(_values, value);
        _definition.GetSpan(length)[..length].Fill(element);
        _definition.Advance(length);
        var repetition = _repetition.GetSpan(length)[..length];
        repetition.Fill(1);
        repetition[0] = 0;
        _repetition.Advance(length);
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup)
    {
        await rowGroup.WriteAllPartsAsync(_element, _values.WrittenMemory, _definition.WrittenMemory, _repetition.WrittenMemory, CancellationToken.None);
        _values.Clear();
        _definition.Clear();
        _repetition.Clear();
    }

    private static void Add<TValue>(ArrayBufferWriter<TValue> buffer, TValue value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }
}
