using Microsoft.ML;
using Microsoft.ML.Data;

namespace XRight.Data.JsonLines;

/// <summary>
/// A cursor over JSON Lines rows: either streamed from the file (values converted into slot 0 as each
/// line is reached) or over rows already held in memory (slot = position).
/// </summary>
internal sealed class JsonLinesRowCursor : DataViewRowCursor
{
    private readonly JsonLinesColumnValues?[] _values;
    private readonly IEnumerator<JsonLinesObject>? _lines;
    private readonly int _rowCount;
    private long _position = -1;
    private int _slot = -1;
    private bool _finished;

    /// <summary>A streaming cursor; it owns <paramref name="lines"/>.</summary>
    public JsonLinesRowCursor(DataViewSchema schema, JsonLinesColumnValues?[] values, IEnumerator<JsonLinesObject> lines)
    {
        Schema = schema;
        _values = values;
        _lines = lines;
    }

    /// <summary>A cursor over <paramref name="rowCount"/> rows held in <paramref name="values"/>.</summary>
    public JsonLinesRowCursor(DataViewSchema schema, JsonLinesColumnValues?[] values, int rowCount)
    {
        Schema = schema;
        _values = values;
        _rowCount = rowCount;
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _position;

    public override long Batch => 0;

    public override bool IsColumnActive(DataViewSchema.Column column) => _values[IndexOf(column)] is not null;

    public override ValueGetter<DataViewRowId> GetIdGetter() =>
        (ref DataViewRowId id) =>
        {
            _ = CurrentSlot();
            id = new DataViewRowId((ulong)_position, 0);
        };

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        var values = _values[IndexOf(column)]
            ?? throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; pass it to GetRowCursor.");
        return values.CreateGetter(CurrentSlot) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type} (values of {column.Type.RawType}); it cannot be read as {typeof(TValue)}.");
    }

    public override bool MoveNext()
    {
        if (_finished) return false;
        if (_lines is not null)
        {
            if (!_lines.MoveNext()) return Finish();
            foreach (var values in _values) values?.Read(_lines.Current, 0);
            _slot = 0;
        }
        else
        {
            if (_position + 1 >= _rowCount) return Finish();
            _slot = (int)(_position + 1);
        }
        _position++;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Finish();
        base.Dispose(disposing);
    }

    private bool Finish()
    {
        _finished = true;
        _position = -1;
        _lines?.Dispose();
        return false;
    }

    private int CurrentSlot() => _position >= 0
        ? _slot
        : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first, and read values only while it returns true.");

    private int IndexOf(DataViewSchema.Column column)
    {
        if ((uint)column.Index >= (uint)_values.Length)
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (index {column.Index}) is not a column of this view.");
        return column.Index;
    }
}
