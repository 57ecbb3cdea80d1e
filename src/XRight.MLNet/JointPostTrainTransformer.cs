using System.Reflection;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.IO;
using XRight.Interop;
using XRight.Modeling.Generation;
using XRight.Runtime;
using XRight.TextStages;

using XRight.Text;

namespace XRight.MLNet;

/// <summary>
/// A post-trained causal LM as an ML.NET transformer. Given prompt tokens it adds a generated
/// <c>Response</c> column (when the input has no Response column); given response tokens it adds
/// <c>ResponseLogLikelihood</c> and <c>ResponseTokenAccuracy</c>; given chosen and rejected tokens it adds their log-likelihoods, their
/// implicit rewards β·(log π − log π_ref) and <c>PreferenceCorrect</c>. Columns are computed lazily, only
/// when read. Saved model zips carry the weights (or base + LoRA adapter), the DPO reference, the
/// tokenizer, the options and the training summary.
/// </summary>
public sealed class JointPostTrainTransformer : ITransformer, IDisposable
{
    internal const string LoaderSignature = "XRightJointPostTrain";
    private const string ModelSignature = "XRJPOSTT";
    private const uint Version = 0x00010001;
    private const string SummaryStream = "Training.json";

    /// <summary>Name of the log-likelihood column for instruction rows.</summary>
    public const string ResponseLogLikelihoodColumn = "ResponseLogLikelihood";
    /// <summary>Name of the column with the share of response tokens the model ranks first (token accuracy).</summary>
    public const string ResponseTokenAccuracyColumn = "ResponseTokenAccuracy";
    /// <summary>Name of the chosen answer's log-likelihood column.</summary>
    public const string ChosenLogLikelihoodColumn = "ChosenLogLikelihood";
    /// <summary>Name of the rejected answer's log-likelihood column.</summary>
    public const string RejectedLogLikelihoodColumn = "RejectedLogLikelihood";
    /// <summary>Name of the chosen answer's implicit reward column.</summary>
    public const string ChosenRewardColumn = "ChosenReward";
    /// <summary>Name of the rejected answer's implicit reward column.</summary>
    public const string RejectedRewardColumn = "RejectedReward";
    /// <summary>Name of the column that is true where the chosen answer gets the larger reward.</summary>
    public const string PreferenceCorrectColumn = "PreferenceCorrect";

    private readonly PostTrainingColumnNames _columns;

    internal JointPostTrainTransformer(PostTrainedModel model, PostTrainingColumnNames columns, GenerationOptions generation, string device, TrainingSummary summary)
    {
        Model = model;
        _columns = columns;
        Generation = generation;
        Device = device;
        Summary = summary;
    }

    /// <summary>The column names the transformer reads and writes.</summary>

    /// <summary>The columns of training-style rows, for evaluation.</summary>
    /// <summary>The columns the model was trained on; it writes generated text to <see cref="PostTrainingColumnNames.Response"/>.</summary>
    internal PostTrainingColumnNames Columns => _columns;

    internal PostTrainedModel Model { get; }

    /// <summary>The trained policy (owned by this transformer).</summary>
    public XRight.Modeling.CausalLm Policy => Model.Policy;

    /// <summary>The tokenizer stored with the model.</summary>
    public XRight.Text.CausalLmTokenizer Tokenizer => Model.Tokenizer;

    /// <summary>How the Response column is generated; replace it to change decoding without retraining.</summary>
    public GenerationOptions Generation { get; set; }

    /// <summary>The device option the model runs on after loading.</summary>
    public string Device { get; }

    /// <summary>What training did, including the trajectory of held-out evaluations.</summary>
    public TrainingSummary Summary { get; }

    /// <summary>DPO temperature β of the implicit rewards.</summary>
    public double Beta => Model.Beta;

    /// <summary>Always true: each row maps on its own.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the columns this transformer adds for it.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new Mapper(this, inputSchema).OutputSchema;

    /// <summary>The row mapper, for prediction engines.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>The input with the added columns, computed lazily.</summary>
    public IDataView Transform(IDataView input) => new MappedDataView(input, new Mapper(this, input.Schema));

    /// <summary>Frees the model's tensors.</summary>
    public void Dispose() => Model.Dispose();

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var writer = MlNetBridge.BeginSave(ctx, VersionInfo());
        // Kind, prompt, response, chosen, rejected, fits, then the generated-text column (the response column).
        foreach (var name in new[] { _columns.Kind, _columns.Prompt, _columns.Response, _columns.Chosen, _columns.Rejected, _columns.TokensFit, _columns.Response })
            writer.Write(name);
        writer.Write(Device);
        writer.Write(Model.Beta);
        writer.Write(JsonSerializer.Serialize(GenerationRecord.From(Generation), JsonFile.CompactRecords));
        MlNetBridge.SaveBinaryStream(ctx, SummaryStream, w => w.Write(JsonSerializer.Serialize(Summary, JsonFile.CompactRecords)));
        Model.Save((name, write) => MlNetBridge.SaveBinaryStream(ctx, name, write));
    }

    internal static void Register(ComponentCatalog catalog) => MlNetBridge.RegisterModelLoader(catalog, typeof(JointPostTrainTransformer),
        "XRight joint SFT/DPO post-trained model", LoaderSignature, typeof(JointPostTrainTransformer).GetMethod(nameof(Load), BindingFlags.NonPublic | BindingFlags.Static)!);

    private static object VersionInfo() => MlNetBridge.CreateVersionInfo(ModelSignature, Version, LoaderSignature, typeof(JointPostTrainTransformer));

    private static JointPostTrainTransformer Load(IHostEnvironment environment, object loadContext)
    {
        var reader = MlNetBridge.BeginLoad(loadContext, VersionInfo());
        var columns = new PostTrainingColumnNames
        {
            Kind = reader.ReadString(), Prompt = reader.ReadString(), Response = reader.ReadString(), Chosen = reader.ReadString(),
            Rejected = reader.ReadString(), TokensFit = reader.ReadString(),
        };
        var generated = reader.ReadString();
        if (generated != columns.Response)
            throw new InvalidDataException($"The model zip names the generated-text column '{generated}' but the response column '{columns.Response}'; they must be the same.");
        var device = reader.ReadString();
        var beta = reader.ReadDouble();
        var generation = JsonSerializer.Deserialize<GenerationRecord>(reader.ReadString(), JsonFile.CompactRecords)!.ToOptions();
        TrainingSummary? summary = null;
        if (!MlNetBridge.TryLoadBinaryStream(loadContext, SummaryStream, r => summary = JsonSerializer.Deserialize<TrainingSummary>(r.ReadString(), JsonFile.CompactRecords)))
            throw new InvalidDataException($"The model zip has no {SummaryStream}.");
        // Only the device is resolved: loading never reseeds the caller's generators.
        var target = TorchContext.ResolveDevice(device, allowCpuFallback: true);
        var model = PostTrainedModel.Load((name, read) => MlNetBridge.TryLoadBinaryStream(loadContext, name, read), target, beta);
        return new JointPostTrainTransformer(model, columns, generation, device, summary!);
    }

    /// <summary>Generation options as stored in the zip.</summary>
    private sealed record GenerationRecord(int MaxNewTokens, double Temperature, double TopP, int Seed, string[] StopStrings, int[]? StopTokenIds)
    {
        public static GenerationRecord From(GenerationOptions o) => new(o.MaxNewTokens, o.Temperature, o.TopP, o.Seed, [.. o.StopStrings], o.StopTokenIds?.ToArray());

        public GenerationOptions ToOptions() => new()
        {
            MaxNewTokens = MaxNewTokens, Temperature = Temperature, TopP = TopP, Seed = Seed, StopStrings = StopStrings, StopTokenIds = StopTokenIds,
        };
    }

    private sealed class Mapper : AddedColumnsMapper
    {
        private readonly JointPostTrainTransformer _parent;
        private readonly DataViewSchema.Column? _promptTokens, _responseTokens, _chosenTokens, _rejectedTokens;
        private readonly bool _generates, _scoresResponse, _scoresPairs;

        public Mapper(JointPostTrainTransformer parent, DataViewSchema inputSchema) : base(inputSchema, Added(parent, inputSchema))
        {
            _parent = parent;
            var c = parent._columns;
            _promptTokens = TokenColumn(inputSchema, c.Prompt);
            _responseTokens = TokenColumn(inputSchema, c.Response);
            _chosenTokens = TokenColumn(inputSchema, c.Chosen);
            _rejectedTokens = TokenColumn(inputSchema, c.Rejected);
            (_generates, _scoresResponse, _scoresPairs) = Plan(parent, inputSchema);
        }

        // What this input allows: generation needs prompt tokens and no Response column already there.
        private static (bool Generate, bool ScoreResponse, bool ScorePairs) Plan(JointPostTrainTransformer parent, DataViewSchema schema)
        {
            var c = parent._columns;
            var prompt = TokenColumn(schema, c.Prompt);
            if (prompt is null)
                throw new ArgumentOutOfRangeException(nameof(schema), $"The post-trained model needs the token column '{PostTrainingColumnNames.TokensOf(c.Prompt)}'; put TokenizeForCausalLm before it.");
            return (schema.GetColumnOrNull(c.Response) is null,
                    TokenColumn(schema, c.Response) is not null,
                    TokenColumn(schema, c.Chosen) is not null && TokenColumn(schema, c.Rejected) is not null);
        }

        private static DataViewSchema.Column? TokenColumn(DataViewSchema schema, string textColumn)
        {
            var name = PostTrainingColumnNames.TokensOf(textColumn);
            if (schema.GetColumnOrNull(name) is not { } column) return null;
            if (column.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Int32)
                throw new ArgumentOutOfRangeException(nameof(schema), $"Column '{name}' has type {column.Type}; expected a vector of Int32 token ids.");
            return column;
        }

        private static DataViewSchema.DetachedColumn[] Added(JointPostTrainTransformer parent, DataViewSchema schema)
        {
            var (generate, scoreResponse, scorePairs) = Plan(parent, schema);
            var added = new List<DataViewSchema.DetachedColumn>();
            if (generate) added.Add(new(parent._columns.Response, TextDataViewType.Instance));
            if (scoreResponse)
            {
                added.Add(new(ResponseLogLikelihoodColumn, NumberDataViewType.Single));
                added.Add(new(ResponseTokenAccuracyColumn, NumberDataViewType.Single));
            }
            if (scorePairs)
            {
                foreach (var name in new[] { ChosenLogLikelihoodColumn, RejectedLogLikelihoodColumn, ChosenRewardColumn, RejectedRewardColumn })
                    added.Add(new(name, NumberDataViewType.Single));
                added.Add(new(PreferenceCorrectColumn, BooleanDataViewType.Instance));
            }
            return [.. added];
        }

        protected override IEnumerable<DataViewSchema.Column> InputsOf(int added)
        {
            var name = OutputSchema[InputSchema.Count + added].Name;
            if (_generates && name == _parent._columns.Response) return [_promptTokens!.Value];
            if (name is ResponseLogLikelihoodColumn or ResponseTokenAccuracyColumn) return [_promptTokens!.Value, _responseTokens!.Value];
            return [_promptTokens!.Value, _chosenTokens!.Value, _rejectedTokens!.Value];
        }

        protected override Delegate?[] CreateGetters(DataViewRow input, bool[] active)
        {
            var model = _parent.Model;
            var ids = new Dictionary<DataViewSchema.Column, (ValueGetter<VBuffer<int>> Getter, long Position, int[] Value)>();
            int[] Ids(DataViewSchema.Column column)
            {
                if (!ids.TryGetValue(column, out var entry)) entry = (input.GetGetter<VBuffer<int>>(column), -1, []);
                if (entry.Position != input.Position)
                {
                    VBuffer<int> buffer = default;
                    entry.Getter(ref buffer);
                    entry = (entry.Getter, input.Position, buffer.DenseValues().ToArray());
                }
                ids[column] = entry;
                return entry.Value;
            }

            var generated = new RowCache<string>(input, () =>
            {
                var prompt = Ids(_promptTokens!.Value);
                return prompt.Length == 0 ? "" : model.Generate(prompt, _parent.Generation);
            });
            var responseScore = new RowCache<(float LogLikelihood, float TokenAccuracy)>(input, () =>
            {
                var (logLikelihood, accuracy) = model.ScoreResponse(Ids(_promptTokens!.Value), Ids(_responseTokens!.Value));
                return ((float)logLikelihood, (float)accuracy);
            });
            var pairScores = new RowCache<float[]>(input, () =>
            {
                var prompt = Ids(_promptTokens!.Value);
                int[] chosen = Ids(_chosenTokens!.Value), rejected = Ids(_rejectedTokens!.Value);
                double c = model.LogLikelihood(prompt, chosen), r = model.LogLikelihood(prompt, rejected);
                double cr = model.Beta * (c - model.ReferenceLogLikelihood(prompt, chosen));
                double rr = model.Beta * (r - model.ReferenceLogLikelihood(prompt, rejected));
                return [(float)c, (float)r, (float)cr, (float)rr];
            });

            var getters = new Delegate?[AddedCount];
            for (int i = 0; i < AddedCount; i++)
            {
                if (!active[i]) continue;
                var name = OutputSchema[InputSchema.Count + i].Name;
                getters[i] = name switch
                {
                    _ when _generates && name == _parent._columns.Response => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = generated.Value.AsMemory()),
                    ResponseLogLikelihoodColumn => (ValueGetter<float>)((ref float v) => v = responseScore.Value.LogLikelihood),
                    ResponseTokenAccuracyColumn => (ValueGetter<float>)((ref float v) => v = responseScore.Value.TokenAccuracy),
                    ChosenLogLikelihoodColumn => (ValueGetter<float>)((ref float v) => v = pairScores.Value[0]),
                    RejectedLogLikelihoodColumn => (ValueGetter<float>)((ref float v) => v = pairScores.Value[1]),
                    ChosenRewardColumn => (ValueGetter<float>)((ref float v) => v = pairScores.Value[2]),
                    RejectedRewardColumn => (ValueGetter<float>)((ref float v) => v = pairScores.Value[3]),
                    PreferenceCorrectColumn => (ValueGetter<bool>)((ref bool v) => v = pairScores.Value[2] > pairScores.Value[3]),
                    _ => throw new InvalidOperationException($"Unknown added column '{name}'."),
                };
            }
            return getters;
        }
    }

    /// <summary>A value computed at most once per row position.</summary>
    private sealed class RowCache<T>(DataViewRow row, Func<T> compute)
    {
        private long _position = -1;
        private T _value = default!;

        public T Value
        {
            get
            {
                if (_position != row.Position) { _value = compute(); _position = row.Position; }
                return _value;
            }
        }
    }
}
