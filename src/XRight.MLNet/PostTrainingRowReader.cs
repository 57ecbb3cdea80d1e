using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;
using XRight.Data.Validation;
using XRight.TextStages;
using XRight.Training;

using XRight.Text;

namespace XRight.MLNet;

/// <summary>
/// Reads the rows a post-training stage learns from: the text columns (to skip empty rows and pairs
/// whose answers are equal, as data validation does) and the token columns made by
/// <c>TokenizeForCausalLm</c> (rows that did not fit are skipped as too long). A row's kind comes from
/// the Kind column when there is one, else from which answers it has.
/// </summary>
internal static class PostTrainingRowReader
{
    public static PostTrainingRows Read(IDataView data, JointPostTrainOptions options) => Read(data, options.Columns, options.StrictData);

    public static PostTrainingRows Read(IDataView data, PostTrainingColumnNames names, bool strict)
    {
        var source = DataSourceName.Of(data);
        var schema = data.Schema;
        var prompt = Text(schema, names.Prompt, source, required: true)!.Value;
        var promptTokens = Tokens(schema, names.Prompt, source, required: true)!.Value;
        var response = Text(schema, names.Response, source, required: false);
        var responseTokens = response is null ? null : Tokens(schema, names.Response, source, required: true);
        var chosen = Text(schema, names.Chosen, source, required: false);
        var rejected = Text(schema, names.Rejected, source, required: chosen is not null);
        if (chosen is null && rejected is not null)
            throw new ArgumentException($"{source} has a '{names.Rejected}' column but no '{names.Chosen}' column.");
        var chosenTokens = chosen is null ? null : Tokens(schema, names.Chosen, source, required: true);
        var rejectedTokens = chosen is null ? null : Tokens(schema, names.Rejected, source, required: true);
        if (response is null && chosen is null)
            throw new ArgumentException($"{source} has neither a '{names.Response}' column (instruction data) nor '{names.Chosen}'/'{names.Rejected}' columns (preference data).");
        var kind = Text(schema, names.Kind, source, required: false);
        var fits = schema.GetColumnOrNull(names.TokensFit);
        if (fits is { } f && f.Type is not BooleanDataViewType)
            throw new ArgumentException($"{source}: column '{names.TokensFit}' must be Boolean, but is {f.Type}.");

        var truncated = Flag(schema, names.PromptTruncated, source);
        var lossMask = response is null ? null : schema.GetColumnOrNull(names.ResponseLossMask);
        if (lossMask is { } lm && (lm.Type is not VectorDataViewType { ItemType: BooleanDataViewType }))
            throw new ArgumentException($"{source}: column '{names.ResponseLossMask}' must be a vector of Boolean, but is {lm.Type}.");
        var needed = new[] { prompt, promptTokens, response, responseTokens, chosen, chosenTokens, rejected, rejectedTokens, kind, fits, truncated, lossMask }
            .OfType<DataViewSchema.Column>().ToArray();
        using var cursor = data.GetRowCursor(needed);
        var getText = (DataViewSchema.Column? c) => c is { } col ? cursor.GetGetter<ReadOnlyMemory<char>>(col) : null;
        var getIds = (DataViewSchema.Column? c) => c is { } col ? cursor.GetGetter<VBuffer<int>>(col) : null;
        var promptText = getText(prompt)!;
        var promptIds = getIds(promptTokens)!;
        var responseText = getText(response);
        var responseIds = getIds(responseTokens);
        var chosenText = getText(chosen);
        var chosenIds = getIds(chosenTokens);
        var rejectedText = getText(rejected);
        var rejectedIds = getIds(rejectedTokens);
        var kindText = getText(kind);
        var fitsGetter = fits is { } fitsColumn ? cursor.GetGetter<bool>(fitsColumn) : null;
        var truncatedGetter = truncated is { } truncatedColumn ? cursor.GetGetter<bool>(truncatedColumn) : null;
        var maskGetter = lossMask is { } maskColumn ? cursor.GetGetter<VBuffer<bool>>(maskColumn) : null;
        VBuffer<bool> maskValues = default;
        bool cut = false;

        // After CombineData and the text stages, a row is named by its own data set and row there.
        Func<long, string?> locate = row => RowOrigin.Locate(data, row);
        var sftTally = new ValidationTally(source, strict, locate);
        var dpoTally = new ValidationTally(source, strict, locate);
        var instructions = new List<TokenizedInstruction>();
        var preferences = new List<TokenizedPreference>();
        ReadOnlyMemory<char> p = default, r = default, c = default, j = default, k = default;
        VBuffer<int> ids = default;
        bool fit = true;
        while (cursor.MoveNext())
        {
            long row = cursor.Position + 1;
            promptText(ref p);
            if (responseText is not null) responseText(ref r); else r = default;
            if (chosenText is not null) { chosenText(ref c); rejectedText!(ref j); } else { c = default; j = default; }
            fitsGetter?.Invoke(ref fit);
            truncatedGetter?.Invoke(ref cut);
            bool isPreference = KindOf(kindText, ref k, source, row, names.Kind, response is not null, chosen is not null, r, c, j);
            if (isPreference)
            {
                var issue = RowChecks.Preference(p, c, j, names) ?? TooLong(fit, names.TokensFit);
                var item = issue is null ? new TokenizedPreference(Read(promptIds, ref ids), Read(chosenIds!, ref ids), Read(rejectedIds!, ref ids)) : null;
                issue ??= item!.Prompt.Length == 0 || item.Chosen.Length == 0 || item.Rejected.Length == 0 ? new RowIssue(SkipReason.TooLong, names.TokensFit) : null;
                if (dpoTally.Accept(row, issue))
                {
                    preferences.Add(item!);
                    if (cut) dpoTally.CountTruncated();
                }
            }
            else
            {
                var issue = RowChecks.Instruction(p, r, names) ?? TooLong(fit, names.TokensFit);
                var item = issue is null ? new TokenizedInstruction(Read(promptIds, ref ids), Read(responseIds!, ref ids), ReadMask(maskGetter, ref maskValues)) : null;
                issue ??= item!.Prompt.Length == 0 || item.Response.Length == 0 ? new RowIssue(SkipReason.TooLong, names.TokensFit) : null;
                if (issue is null && item!.LossMask is { } mask && mask.Length != item.Response.Length)
                    throw new InvalidDataException($"{locate(row) ?? $"{source}, row {row}"}: column '{names.ResponseLossMask}' has {mask.Length} flags for {item.Response.Length} response tokens.");
                if (sftTally.Accept(row, issue))
                {
                    instructions.Add(item!);
                    if (cut) sftTally.CountTruncated();
                }
            }
        }
        return new PostTrainingRows(instructions, preferences, sftTally.ToReport(), dpoTally.ToReport()) { TokenLimit = fits is { } fc ? MaxLengthOf(fc) : null };
    }

    private static int? MaxLengthOf(DataViewSchema.Column fits)
    {
        if (fits.Annotations.Schema.GetColumnOrNull(PostTrainingColumnNames.MaxLengthAnnotation) is not { Type: NumberDataViewType t } || t.RawType != typeof(int)) return null;
        int value = 0;
        fits.Annotations.GetValue(PostTrainingColumnNames.MaxLengthAnnotation, ref value);
        return value;
    }

    private static RowIssue? TooLong(bool fits, string column) => fits ? null : new RowIssue(SkipReason.TooLong, column);

    // With a Kind column, it decides; without, a row with an answer in Response is an instruction row
    // and one with chosen/rejected text a preference row.
    private static bool KindOf(ValueGetter<ReadOnlyMemory<char>>? kindText, ref ReadOnlyMemory<char> kind, string source, long row, string kindColumn,
        bool hasResponseColumn, bool hasPairColumns, ReadOnlyMemory<char> response, ReadOnlyMemory<char> chosen, ReadOnlyMemory<char> rejected)
    {
        if (kindText is not null)
        {
            kindText(ref kind);
            var value = kind.ToString().Trim();
            bool preference = value.Equals(PostTrainingColumnNames.DpoKind, StringComparison.OrdinalIgnoreCase);
            if (!preference && !value.Equals(PostTrainingColumnNames.SftKind, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{source}, row {row}, column '{kindColumn}': '{value}' is neither '{PostTrainingColumnNames.SftKind}' nor '{PostTrainingColumnNames.DpoKind}'.");
            if (!(preference ? hasPairColumns : hasResponseColumn))
                throw new InvalidDataException($"{source}, row {row}: the row is of kind '{value}' but the data has no columns for it.");
            return preference;
        }
        if (!hasPairColumns) return false;
        if (!hasResponseColumn) return true;
        return RowChecks.IsBlank(response) && !(RowChecks.IsBlank(chosen) && RowChecks.IsBlank(rejected));
    }

    // A mask that keeps every token is stored as none.
    private static bool[]? ReadMask(ValueGetter<VBuffer<bool>>? getter, ref VBuffer<bool> buffer)
    {
        if (getter is null) return null;
        getter(ref buffer);
        var flags = buffer.DenseValues().ToArray();
        return flags.All(f => f) ? null : flags;
    }

    private static DataViewSchema.Column? Flag(DataViewSchema schema, string name, string source)
    {
        if (schema.GetColumnOrNull(name) is not { } column) return null;
        return column.Type is BooleanDataViewType ? column : throw new ArgumentException($"{source}: column '{name}' must be Boolean, but is {column.Type}.");
    }

    private static int[] Read(ValueGetter<VBuffer<int>> getter, ref VBuffer<int> buffer)
    {
        getter(ref buffer);
        return buffer.DenseValues().ToArray();
    }

    private static DataViewSchema.Column? Text(DataViewSchema schema, string name, string source, bool required)
    {
        if (schema.GetColumnOrNull(name) is not { } column)
            return required ? throw new ArgumentException($"{source} has no column '{name}' (expected text).") : null;
        if (column.Type is not TextDataViewType)
            throw new ArgumentException($"{source}: column '{name}' has type {column.Type}; expected text.");
        return column;
    }

    private static DataViewSchema.Column? Tokens(DataViewSchema schema, string textColumn, string source, bool required)
    {
        var name = PostTrainingColumnNames.TokensOf(textColumn);
        if (schema.GetColumnOrNull(name) is not { } column)
            return required ? throw new ArgumentException($"{source} has no token column '{name}': put mlContext.Transforms.Text.TokenizeForCausalLm(...) before the post-training stage.") : null;
        if (column.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Int32)
            throw new ArgumentException($"{source}: column '{name}' has type {column.Type}; expected a vector of Int32 token ids.");
        return column;
    }
}
