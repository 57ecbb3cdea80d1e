using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;

namespace XRight.Interop;

/// <summary>The lazy output of an <see cref="AddedColumnsMapper"/> over an input view.</summary>
internal sealed class MappedDataView(IDataView input, AddedColumnsMapper mapper) : IDataView, IRowOrigin
{
    /// <summary>Rows map one to one, so a row's origin is its input row's.</summary>
    public string? Locate(long rowNumber) => RowOrigin.Locate(input, rowNumber);

    public DataViewSchema Schema => mapper.OutputSchema;

    public bool CanShuffle => input.CanShuffle;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var inputCursor = input.GetRowCursor(mapper.GetDependencies(needed), rand);
        return new Cursor(mapper, inputCursor, mapper.ActiveAdded(needed));
    }

    // One cursor: the mappers may hold models that must not run on several threads at once.
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(AddedColumnsMapper mapper, DataViewRowCursor input, bool[] active) : DataViewRowCursor
    {
        private readonly Delegate?[] _getters = mapper.Getters(input, active);

        public override DataViewSchema Schema => mapper.OutputSchema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override bool MoveNext() => input.MoveNext();
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => mapper.IsActive(input, active, column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => mapper.GetterFor<TValue>(input, _getters, column);

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }
}
