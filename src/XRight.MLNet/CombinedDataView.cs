using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;
using XRight.Text;

namespace XRight.MLNet;

/// <summary>
/// Instruction rows followed by preference rows as one lazy view with the columns Kind, Prompt,
/// Response, Chosen and Rejected (and ResponseTargetSpans when the instruction data has target spans); text a row's
/// data set does not have is empty. This lets one
/// pipeline of text stages and one <c>Fit</c> serve both data sets.
/// </summary>
internal sealed class CombinedDataView : IDataView, IRowOrigin
{
    /// <summary>Row n is the instruction data's row n, or the preference data's row n − (instruction rows).</summary>
    public string? Locate(long rowNumber)
    {
        long instructions = _instructions.GetRowCount() ?? CountRows(_instructions);
        return rowNumber <= instructions
            ? Name(_instructions, "instruction", rowNumber)
            : Name(_preferences, "preference", rowNumber - instructions);
    }

    private static string Name(IDataView view, string dataSet, long row)
        => RowOrigin.Locate(view, row) ?? string.Create(CultureInfo.InvariantCulture, $"{DataSourceName.Of(view)} ({dataSet} data), row {row}");

    private static long CountRows(IDataView view)
    {
        long count = 0;
        using var cursor = view.GetRowCursor([]);
        while (cursor.MoveNext()) count++;
        return count;
    }

    private static readonly string[] OutputNames =
        [PostTrainingColumnNames.Default.Kind, .. PostTrainingColumnNames.Default.TextColumns];

    private readonly IDataView _instructions;
    private readonly IDataView _preferences;
    // For each output column (by index in OutputNames), the source column in each view, or null.
    private readonly DataViewSchema.Column?[] _fromInstructions;
    private readonly DataViewSchema.Column?[] _fromPreferences;
    // The instruction data's target spans (the last output column), when it has them.
    private readonly DataViewSchema.Column? _spans;

    public CombinedDataView(IDataView instructions, IDataView preferences, CombineDataOptions options)
    {
        _instructions = instructions;
        _preferences = preferences;
        _fromInstructions =
        [
            null,
            RequireText(instructions, options.InstructionPromptColumn, "instruction"),
            RequireText(instructions, options.InstructionResponseColumn, "instruction"),
            null,
            null,
        ];
        _fromPreferences =
        [
            null,
            RequireText(preferences, options.PreferencePromptColumn, "preference"),
            null,
            RequireText(preferences, options.PreferenceChosenColumn, "preference"),
            RequireText(preferences, options.PreferenceRejectedColumn, "preference"),
        ];
        var builder = new DataViewSchema.Builder();
        foreach (var name in OutputNames) builder.AddColumn(name, TextDataViewType.Instance);
        if (instructions.Schema.GetColumnOrNull(options.InstructionTargetSpansColumn) is { } spans)
        {
            if (spans.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Int32)
                throw new ArgumentException($"Column '{spans.Name}' of the instruction data must be a vector of Int32 target spans, but is {spans.Type}.");
            _spans = spans;
            builder.AddColumn(PostTrainingColumnNames.Default.ResponseTargetSpans, new VectorDataViewType(NumberDataViewType.Int32));
        }
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _instructions.GetRowCount() + _preferences.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private static DataViewSchema.Column RequireText(IDataView view, string name, string dataSet)
    {
        var column = view.Schema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"The {dataSet} data has no column '{name}' (columns: {string.Join(", ", view.Schema.Select(c => c.Name))}).");
        if (column.Type is not TextDataViewType)
            throw new ArgumentException($"Column '{name}' of the {dataSet} data must be text, but is {column.Type}.");
        return column;
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly CombinedDataView _parent;
        private readonly HashSet<int> _active;
        private DataViewRowCursor? _current;
        private bool _inPreferences;
        private ValueGetter<ReadOnlyMemory<char>>?[] _sources = [];
        private ValueGetter<VBuffer<int>>? _spans;
        private long _position = -1;

        public Cursor(CombinedDataView parent, HashSet<int> active)
        {
            _parent = parent;
            _active = active;
            Open(parent._instructions, parent._fromInstructions);
        }

        public override DataViewSchema Schema => _parent.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool MoveNext()
        {
            while (_current is not null)
            {
                if (_current.MoveNext()) { _position++; return true; }
                _current.Dispose();
                _current = null;
                if (!_inPreferences)
                {
                    _inPreferences = true;
                    Open(_parent._preferences, _parent._fromPreferences);
                }
            }
            return false;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active.Contains(column.Index)) throw new InvalidOperationException($"Column '{column.Name}' is not active.");
            if (column.Index == OutputNames.Length)
            {
                if (typeof(TValue) != typeof(VBuffer<int>)) throw new InvalidOperationException($"Column '{column.Name}' is a vector of Int32, not {typeof(TValue).Name}.");
                ValueGetter<VBuffer<int>> spans = (ref VBuffer<int> value) =>
                {
                    if (_spans is { } source) source(ref value);
                    else value = new VBuffer<int>(0, []);
                };
                return (ValueGetter<TValue>)(Delegate)spans;
            }
            if (typeof(TValue) != typeof(ReadOnlyMemory<char>)) throw new InvalidOperationException($"Column '{column.Name}' is text, not {typeof(TValue).Name}.");
            int index = column.Index;
            ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) =>
            {
                if (index == 0) value = (_inPreferences ? PostTrainingColumnNames.DpoKind : PostTrainingColumnNames.SftKind).AsMemory();
                else if (_sources[index] is { } source) source(ref value);
                else value = ReadOnlyMemory<char>.Empty;
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        private void Open(IDataView view, DataViewSchema.Column?[] map)
        {
            var needed = map.Where((c, i) => c is not null && _active.Contains(i)).Select(c => c!.Value).ToList();
            bool spans = !_inPreferences && _parent._spans is { } spansColumn && _active.Contains(OutputNames.Length);
            if (spans) needed.Add(_parent._spans!.Value);
            _current = view.GetRowCursor(needed);
            _sources = map.Select((c, i) => c is { } col && _active.Contains(i) ? _current.GetGetter<ReadOnlyMemory<char>>(col) : null).ToArray();
            _spans = spans ? _current.GetGetter<VBuffer<int>>(_parent._spans!.Value) : null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _current?.Dispose();
            base.Dispose(disposing);
        }
    }
}
