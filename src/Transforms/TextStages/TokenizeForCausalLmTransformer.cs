using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.Interop;
using XRight.Text;

namespace XRight.TextStages;

/// <summary>
/// Adds <c>&lt;column&gt;Tokens</c> (variable-length Int32 vectors) for the prompt and for each of
/// response / chosen / rejected present in the input, and a boolean fits column. Prompt ids start with
/// BOS when the tokenizer adds one; response ids end with EOS per the EOS policy. The prompt is cut to
/// leave room for the row's longest response; responses are never cut: a row that cannot fit gets
/// empty token columns and fits = false, and the trainer drops and counts it. A row whose prompt was cut has
/// <see cref="PostTrainingColumnNames.PromptTruncated"/> = true, so the trainer counts it too. When the input has
/// <see cref="PostTrainingColumnNames.ResponseTargetSpans"/> (from <c>ApplyChatTemplate</c> with assistant-only loss), the
/// <see cref="PostTrainingColumnNames.ResponseLossMask"/> column says which response tokens are loss targets
/// (<see cref="PromptResponseEncoder.EncodeWithTargets"/>); a row without spans has every response token a target.
/// </summary>
public sealed class TokenizeForCausalLmTransformer : ITransformer
{
    internal const string LoaderSignature = "XRightTokenizeCausalLm";
    private const string ModelSignature = "XRTOKCLM";
    private const uint Version = 0x00010001;
    private const string TokenizerStream = "Tokenizer.bin";
    private const string MoreColumnsStream = "MoreColumns.bin";

    private readonly TokenizeForCausalLmOptions _options;

    internal TokenizeForCausalLmTransformer(CausalLmTokenizer tokenizer, TokenizeForCausalLmOptions options)
    {
        Tokenizer = tokenizer;
        _options = options;
    }

    /// <summary>The tokenizer (saved inside the model zip).</summary>
    public CausalLmTokenizer Tokenizer { get; }

    /// <summary>Token budget per row.</summary>
    public int MaxLength => _options.MaxLength;

    /// <summary>Always true: each row maps on its own.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the token and fits columns.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new Mapper(this, inputSchema).OutputSchema;

    /// <summary>The row mapper, for prediction engines.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>The input with the token columns appended, computed lazily.</summary>
    public IDataView Transform(IDataView input) => new MappedDataView(input, new Mapper(this, input.Schema));

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var writer = MlNetBridge.BeginSave(ctx, VersionInfo());
        writer.Write(_options.MaxLength);
        writer.Write((int)_options.EosPolicy);
        writer.Write((int)_options.PromptTruncation);
        writer.Write(_options.MinPromptTokens);
        foreach (var name in _options.Columns.TextColumns) writer.Write(name);
        writer.Write(_options.Columns.TokensFit);
        MlNetBridge.SaveBinaryStream(ctx, TokenizerStream, w => FileBundle.Write(w, Tokenizer.ToFiles()));
        // Names added after the first version, in their own entry so that older zips still load (with the defaults).
        MlNetBridge.SaveBinaryStream(ctx, MoreColumnsStream, w =>
        {
            w.Write(_options.Columns.ResponseTargetSpans);
            w.Write(_options.Columns.ResponseLossMask);
            w.Write(_options.Columns.PromptTruncated);
        });
    }

    internal static void Register(ComponentCatalog catalog) => MlNetBridge.RegisterModelLoader(catalog, typeof(TokenizeForCausalLmTransformer),
        "XRight causal-LM tokenization", LoaderSignature, typeof(TokenizeForCausalLmTransformer).GetMethod(nameof(Load), BindingFlags.NonPublic | BindingFlags.Static)!);

    private static object VersionInfo() => MlNetBridge.CreateVersionInfo(ModelSignature, Version, LoaderSignature, typeof(TokenizeForCausalLmTransformer));

    private static TokenizeForCausalLmTransformer Load(IHostEnvironment environment, object loadContext)
    {
        var reader = MlNetBridge.BeginLoad(loadContext, VersionInfo());
        var options = new TokenizeForCausalLmOptions
        {
            MaxLength = reader.ReadInt32(),
            EosPolicy = (EosPolicy)reader.ReadInt32(),
            PromptTruncation = (PromptTruncation)reader.ReadInt32(),
            MinPromptTokens = reader.ReadInt32(),
            Columns = new PostTrainingColumnNames
            {
                Prompt = reader.ReadString(),
                Response = reader.ReadString(),
                Chosen = reader.ReadString(),
                Rejected = reader.ReadString(),
                TokensFit = reader.ReadString(),
            },
        };
        MlNetBridge.TryLoadBinaryStream(loadContext, MoreColumnsStream, r => options = options with
        {
            Columns = options.Columns with { ResponseTargetSpans = r.ReadString(), ResponseLossMask = r.ReadString(), PromptTruncated = r.ReadString() },
        });
        Dictionary<string, byte[]>? files = null;
        if (!MlNetBridge.TryLoadBinaryStream(loadContext, TokenizerStream, r => files = FileBundle.Read(r, "the tokenizer in the model zip")))
            throw new InvalidDataException($"The model zip has no {TokenizerStream} for its tokenization stage.");
        return new TokenizeForCausalLmTransformer(CausalLmTokenizer.FromFiles("the model zip", files!), options.Validated());
    }

    /// <summary>
    /// Token ids of one row; empty arrays for absent or empty texts and for rows that do not fit. <paramref name="LossMask"/>
    /// covers the first response column (Response) when target spans were given, else it is empty.
    /// </summary>
    internal sealed record RowTokens(int[] Prompt, int[][] Responses, bool Fits, bool Truncated = false, bool[]? LossMask = null);

    /// <summary>
    /// Tokenizes one row: prompt plus the texts of the present response columns (in column order); with
    /// <paramref name="targetSpans"/> (start, end pairs), the first response column also gets its loss mask.
    /// </summary>
    internal RowTokens Tokenize(string prompt, IReadOnlyList<string> responses, int[]? targetSpans = null)
    {
        int[]? promptIds = null;
        bool[]? mask = null;
        var responseIds = new int[responses.Count][];
        for (int i = 0; i < responses.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(responses[i])) { responseIds[i] = []; continue; }
            if (i == 0 && targetSpans is { Length: > 0 })
            {
                if (targetSpans.Length % 2 != 0)
                    throw new InvalidDataException($"TokenizeForCausalLm: column '{_options.Columns.ResponseTargetSpans}' must hold (start, end) pairs; found {targetSpans.Length} values.");
                var spans = Enumerable.Range(0, targetSpans.Length / 2).Select(k => new TextSpan(targetSpans[2 * k], targetSpans[2 * k + 1])).ToArray();
                (promptIds, responseIds[i], mask) = PromptResponseEncoder.EncodeWithTargets(Tokenizer, prompt, responses[i], spans, _options.EosPolicy);
                continue;
            }
            (promptIds, responseIds[i]) = PromptResponseEncoder.Encode(Tokenizer, prompt, responses[i], _options.EosPolicy);
        }
        promptIds ??= PromptResponseEncoder.Encode(Tokenizer, prompt, "", EosPolicy.None).PromptIds;
        int longest = responseIds.Length == 0 ? 0 : responseIds.Max(r => r.Length);
        var fitted = TokenBudget.FitPrompt(promptIds, longest, _options.MaxLength, _options.PromptTruncation, _options.MinPromptTokens, Tokenizer.BosTokenId);
        return fitted is null
            ? new RowTokens([], responseIds.Select(_ => Array.Empty<int>()).ToArray(), false)
            : new RowTokens(fitted, responseIds, true, fitted.Length < promptIds.Length, mask);
    }

    private sealed class Mapper : AddedColumnsMapper
    {
        private readonly TokenizeForCausalLmTransformer _parent;
        private readonly DataViewSchema.Column _prompt;
        private readonly DataViewSchema.Column[] _responses;
        private readonly DataViewSchema.Column? _spans;

        public Mapper(TokenizeForCausalLmTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, AddedColumns(parent._options, inputSchema))
        {
            _parent = parent;
            var present = PresentTextColumns(parent._options, inputSchema);
            _prompt = present[0];
            _responses = present[1..];
            _spans = SpansColumn(parent._options, inputSchema);
        }

        // The target spans are read when there is a Response column to apply them to.
        private static DataViewSchema.Column? SpansColumn(TokenizeForCausalLmOptions options, DataViewSchema schema)
        {
            if (schema.GetColumnOrNull(options.Columns.ResponseTargetSpans) is not { } column || schema.GetColumnOrNull(options.Columns.Response) is null) return null;
            if (column.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Int32)
                throw new ArgumentOutOfRangeException(nameof(schema), $"TokenizeForCausalLm: column '{column.Name}' must be a vector of Int32 (start, end) character spans, but is {column.Type}.");
            return column;
        }

        private static DataViewSchema.Column[] PresentTextColumns(TokenizeForCausalLmOptions options, DataViewSchema schema)
        {
            var present = new List<DataViewSchema.Column>();
            foreach (var name in options.Columns.TextColumns)
            {
                if (schema.GetColumnOrNull(name) is not { } column)
                {
                    if (name == options.Columns.Prompt)
                        throw new ArgumentOutOfRangeException(nameof(schema), $"TokenizeForCausalLm: the input has no prompt column '{name}'.");
                    continue;
                }
                if (column.Type is not TextDataViewType)
                    throw new ArgumentOutOfRangeException(nameof(schema), $"TokenizeForCausalLm: column '{name}' must be text, but is {column.Type}.");
                present.Add(column);
            }
            return [.. present];
        }

        // The token budget rides on the fit column, so that a reader that skips rows as too long can say the limit.
        private static DataViewSchema.Annotations MaxLengthAnnotation(int maxLength)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add(PostTrainingColumnNames.MaxLengthAnnotation, NumberDataViewType.Int32, (ref int value) => value = maxLength);
            return builder.ToAnnotations();
        }

        private static DataViewSchema.DetachedColumn[] AddedColumns(TokenizeForCausalLmOptions options, DataViewSchema schema)
        {
            var vector = new VectorDataViewType(NumberDataViewType.Int32);
            DataViewSchema.DetachedColumn[] mask = SpansColumn(options, schema) is null ? [] : [new(options.Columns.ResponseLossMask, new VectorDataViewType(BooleanDataViewType.Instance))];
            return
            [
                .. PresentTextColumns(options, schema).Select(c => new DataViewSchema.DetachedColumn(PostTrainingColumnNames.TokensOf(c.Name), vector)),
                new DataViewSchema.DetachedColumn(options.Columns.TokensFit, BooleanDataViewType.Instance, MaxLengthAnnotation(options.MaxLength)),
                new DataViewSchema.DetachedColumn(options.Columns.PromptTruncated, BooleanDataViewType.Instance),
                .. mask,
            ];
        }

        protected override IEnumerable<DataViewSchema.Column> InputsOf(int added) => _spans is { } spans ? [_prompt, .. _responses, spans] : [_prompt, .. _responses];

        protected override Delegate?[] CreateGetters(DataViewRow input, bool[] active)
        {
            var promptGetter = input.GetGetter<ReadOnlyMemory<char>>(_prompt);
            var responseGetters = _responses.Select(input.GetGetter<ReadOnlyMemory<char>>).ToArray();
            var spansGetter = _spans is { } spansColumn ? input.GetGetter<VBuffer<int>>(spansColumn) : null;
            // The spans apply to Response, which comes first among the response columns when present.
            bool responseFirst = _responses.Length > 0 && _responses[0].Name == _parent._options.Columns.Response;
            long cachedPosition = -1;
            RowTokens row = new([], [], false);
            ReadOnlyMemory<char> text = default;
            VBuffer<int> spanValues = default;

            // All columns of a row come from one tokenization, done once per row position.
            RowTokens Current()
            {
                if (cachedPosition == input.Position) return row;
                promptGetter(ref text);
                var prompt = text.ToString();
                var responses = new string[responseGetters.Length];
                for (int i = 0; i < responses.Length; i++) { responseGetters[i](ref text); responses[i] = text.ToString(); }
                int[]? spans = null;
                if (spansGetter is not null && responseFirst) { spansGetter(ref spanValues); spans = spanValues.DenseValues().ToArray(); }
                row = _parent.Tokenize(prompt, responses, spans);
                cachedPosition = input.Position;
                return row;
            }

            var getters = new Delegate?[AddedCount];
            for (int i = 0; i < _responses.Length + 1; i++)
            {
                int index = i;
                getters[i] = (ValueGetter<VBuffer<int>>)((ref VBuffer<int> value) =>
                {
                    var ids = index == 0 ? Current().Prompt : Current().Responses[index - 1];
                    var editor = VBufferEditor.Create(ref value, ids.Length);
                    ids.CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
            int fitsIndex = _responses.Length + 1;
            getters[fitsIndex] = (ValueGetter<bool>)((ref bool value) => value = Current().Fits);
            getters[fitsIndex + 1] = (ValueGetter<bool>)((ref bool value) => value = Current().Truncated);
            if (_spans is not null)
            {
                getters[fitsIndex + 2] = (ValueGetter<VBuffer<bool>>)((ref VBuffer<bool> value) =>
                {
                    var current = Current();
                    // Without spans every response token is a target.
                    var flags = current.LossMask ?? (current.Responses.Length > 0 ? Enumerable.Repeat(true, current.Responses[0].Length).ToArray() : []);
                    if (!current.Fits) flags = [];
                    var editor = VBufferEditor.Create(ref value, flags.Length);
                    flags.CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
            return getters;
        }
    }
}
