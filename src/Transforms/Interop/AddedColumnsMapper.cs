using Microsoft.ML;
using Microsoft.ML.Data;

namespace XRight.Interop;

/// <summary>
/// The row-to-row half of a transformer that appends computed columns to its input (ML.NET's own
/// RowToRowTransformerBase cannot be subclassed outside ML.NET). Input columns pass through with their
/// indices; added columns follow, hiding any input column of the same name. Subclasses say which input
/// columns each added column reads and make the getters; the getters of one row may share work.
/// </summary>
internal abstract class AddedColumnsMapper : IRowToRowMapper
{
    protected AddedColumnsMapper(DataViewSchema inputSchema, IReadOnlyList<DataViewSchema.DetachedColumn> addedColumns)
    {
        InputSchema = inputSchema;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var column in addedColumns) builder.AddColumn(column.Name, column.Type, column.Annotations);
        OutputSchema = builder.ToSchema();
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    /// <summary>Number of added columns; added column i has output index InputSchema.Count + i.</summary>
    protected int AddedCount => OutputSchema.Count - InputSchema.Count;

    /// <summary>The input columns that added column <paramref name="added"/> reads.</summary>
    protected abstract IEnumerable<DataViewSchema.Column> InputsOf(int added);

    /// <summary>
    /// Getters (ValueGetter&lt;T&gt; of each column's type) for the active added columns, reading from
    /// <paramref name="input"/>; entries of inactive columns may be null.
    /// </summary>
    protected abstract Delegate?[] CreateGetters(DataViewRow input, bool[] active);

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new SortedSet<int>();
        foreach (var column in dependingColumns)
        {
            if (column.Index < InputSchema.Count) needed.Add(column.Index);
            else foreach (var input in InputsOf(column.Index - InputSchema.Count)) needed.Add(input.Index);
        }
        return needed.Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        if (input.Schema != InputSchema)
            throw new ArgumentException("The row's schema is not the schema this mapper was built for.", nameof(input));
        return new MappedRow(this, input, ActiveAdded(activeColumns));
    }

    internal bool[] ActiveAdded(IEnumerable<DataViewSchema.Column> columns)
    {
        var active = new bool[AddedCount];
        foreach (var column in columns)
            if (column.Index >= InputSchema.Count) active[column.Index - InputSchema.Count] = true;
        return active;
    }

    internal Delegate?[] Getters(DataViewRow input, bool[] active) => active.Any(a => a) ? CreateGetters(input, active) : new Delegate?[active.Length];

    /// <summary>A row of the output: input columns from <c>Input</c>, added columns from the getters.</summary>
    internal sealed class MappedRow(AddedColumnsMapper mapper, DataViewRow input, bool[] active) : DataViewRow
    {
        private readonly Delegate?[] _getters = mapper.Getters(input, active);

        public override DataViewSchema Schema => mapper.OutputSchema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => mapper.IsActive(input, active, column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => mapper.GetterFor<TValue>(input, _getters, column);
    }

    internal bool IsActive(DataViewRow input, bool[] active, DataViewSchema.Column column)
        => column.Index < InputSchema.Count ? input.IsColumnActive(InputSchema[column.Index]) : active[column.Index - InputSchema.Count];

    internal ValueGetter<TValue> GetterFor<TValue>(DataViewRow input, Delegate?[] getters, DataViewSchema.Column column)
    {
        if (column.Index < InputSchema.Count) return input.GetGetter<TValue>(InputSchema[column.Index]);
        var getter = getters[column.Index - InputSchema.Count]
            ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested as active.");
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {OutputSchema[column.Index].Type}, which is not {typeof(TValue).Name}.");
    }
}
