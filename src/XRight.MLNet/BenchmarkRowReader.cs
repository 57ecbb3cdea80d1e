using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;
using XRight.Evaluation;

namespace XRight.MLNet;

/// <summary>
/// Reads benchmark rows from a view: text columns, vectors of text (a row's choices) and integer columns of
/// any integral type (or a floating-point one holding whole numbers). A missing column, a column of another
/// type or a bad value is reported with the view's source, the column and the row number (from 1).
/// </summary>
internal static class BenchmarkRowReader
{
    public static List<MmluQuestion> Mmlu(IDataView data, MmluColumns c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Read(data, (r, row) =>
        {
            var choices = r.TextVector(c.Choices);
            long answer = r.Integer(c.Answer);
            if (answer < 0 || answer >= choices.Count) throw r.Invalid(row, c.Answer, $"{answer} is not the index of one of the {choices.Count} choices");
            return new MmluQuestion(r.Text(c.Subject), r.Text(c.Question), choices, (int)answer);
        }, c.Subject, c.Question, c.Choices, c.Answer);
    }

    public static List<HellaSwagItem> HellaSwag(IDataView data, HellaSwagColumns c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Read(data, (r, row) =>
        {
            var endings = r.TextVector(c.Endings);
            long label = r.Integer(c.Label);
            if (label < 0 || label >= endings.Count) throw r.Invalid(row, c.Label, $"{label} is not the index of one of the {endings.Count} endings");
            var choices = r.Has(c.Choices) ? r.TextVector(c.Choices) : null;
            if (choices is not null && choices.Count != endings.Count)
                throw r.Invalid(row, c.Choices, $"{choices.Count} entries, but '{c.Endings}' has {endings.Count}");
            return new HellaSwagItem
            {
                Ind = row,
                ActivityLabel = r.Text(c.ActivityLabel),
                CtxA = r.Text(c.CtxA),
                CtxB = r.Text(c.CtxB),
                Endings = endings,
                Label = (int)label,
                Query = r.Has(c.Query) ? r.Text(c.Query) : null,
                Choices = choices,
            };
        }, c.ActivityLabel, c.CtxA, c.CtxB, c.Endings, c.Label);
    }

    public static List<XsTestPrompt> XsTest(IDataView data, XsTestColumns c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Read(data, (r, row) =>
        {
            string label = r.Text(c.Label);
            if (label is not ("safe" or "unsafe")) throw r.Invalid(row, c.Label, $"'{label}' is neither 'safe' nor 'unsafe'");
            return new XsTestPrompt(r.Has(c.Id) ? (int)r.Integer(c.Id) : row, r.Text(c.Prompt), r.Has(c.Type) ? r.Text(c.Type) : "", label, "", "");
        }, c.Prompt, c.Label);
    }

    public static List<WinRateItem> WinRate(IDataView data, WinRateColumns c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Read(data, (r, _) => new WinRateItem(r.Text(c.Prompt), r.Text(c.Chosen)), c.Prompt, c.Chosen);
    }

    private static List<T> Read<T>(IDataView data, Func<Row, int, T> read, params string[] required)
    {
        ArgumentNullException.ThrowIfNull(data);
        var source = DataSourceName.Of(data);
        foreach (var name in required)
            if (data.Schema.GetColumnOrNull(name) is null)
                throw new ArgumentException($"{source} has no column '{name}'; its columns are: {string.Join(", ", data.Schema.Select(col => col.Name))}.");
        var rows = new List<T>();
        using var cursor = data.GetRowCursor(data.Schema);
        var reader = new Row(cursor, source);
        int number = 0;
        while (cursor.MoveNext()) rows.Add(read(reader, ++number));
        if (rows.Count == 0) throw new ArgumentException($"{source} has no rows to evaluate on.");
        return rows;
    }

    private sealed class Row(DataViewRowCursor cursor, string source)
    {
        private readonly Dictionary<string, Delegate> _getters = [];

        public bool Has(string name) => cursor.Schema.GetColumnOrNull(name) is not null;

        public ArgumentException Invalid(int row, string column, string problem) => new($"{source}, row {row}: column '{column}': {problem}.");

        public string Text(string name)
        {
            var getter = (ValueGetter<ReadOnlyMemory<char>>)Getter(name, type => type is TextDataViewType, "text",
                column => cursor.GetGetter<ReadOnlyMemory<char>>(column));
            ReadOnlyMemory<char> value = default;
            getter(ref value);
            return value.ToString();
        }

        public IReadOnlyList<string> TextVector(string name)
        {
            var getter = (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)Getter(name, type => type is VectorDataViewType { ItemType: TextDataViewType }, "a vector of text",
                column => cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column));
            VBuffer<ReadOnlyMemory<char>> value = default;
            getter(ref value);
            return value.DenseValues().Select(v => v.ToString()).ToList();
        }

        public long Integer(string name)
        {
            var getter = (Func<long>)Getter(name, type => type is NumberDataViewType, "an integer", IntegerGetter);
            return getter();
        }

        private Delegate Getter(string name, Func<DataViewType, bool> accepts, string expected, Func<DataViewSchema.Column, Delegate> make)
        {
            if (_getters.TryGetValue(name, out var cached)) return cached;
            var column = cursor.Schema.GetColumnOrNull(name) ?? throw new ArgumentException($"{source} has no column '{name}'.");
            if (!accepts(column.Type)) throw new ArgumentException($"{source}: column '{name}' has type {column.Type}; expected {expected}.");
            return _getters[name] = make(column);
        }

        private Func<long> IntegerGetter(DataViewSchema.Column column)
        {
            Func<long> Of<T>(Func<T, double> toDouble)
            {
                var getter = cursor.GetGetter<T>(column);
                return () =>
                {
                    T value = default!;
                    getter(ref value);
                    double number = toDouble(value);
                    if (!double.IsFinite(number) || number != Math.Floor(number))
                        throw new ArgumentException($"{source}: column '{column.Name}' holds {number}, not a whole number.");
                    return (long)number;
                };
            }
            var raw = column.Type.RawType;
            return raw == typeof(int) ? Of<int>(v => v)
                : raw == typeof(long) ? Of<long>(v => v)
                : raw == typeof(short) ? Of<short>(v => v)
                : raw == typeof(sbyte) ? Of<sbyte>(v => v)
                : raw == typeof(byte) ? Of<byte>(v => v)
                : raw == typeof(ushort) ? Of<ushort>(v => v)
                : raw == typeof(uint) ? Of<uint>(v => v)
                : raw == typeof(ulong) ? Of<ulong>(v => v)
                : raw == typeof(float) ? Of<float>(v => v)
                : raw == typeof(double) ? Of<double>(v => v)
                : throw new ArgumentException($"{source}: column '{column.Name}' has type {column.Type}; expected an integer.");
        }
    }
}
