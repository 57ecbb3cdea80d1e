using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.Interop;
using XRight.Modeling;
using XRight.Runtime;
using XRight.TextStages;
using XRight.Text;
using XRight.Training;
using XRight.Training.Reference;

namespace XRight.MLNet;

/// <summary>
/// Trains a causal LM jointly on the instruction and preference rows of its input (after
/// <c>FormatPrompt</c> and <c>TokenizeForCausalLm</c>) and returns it as a
/// <see cref="JointPostTrainTransformer"/>. Created by <c>mlContext.PostTraining.JointPostTrain(options)</c>.
/// </summary>
public sealed class JointPostTrainEstimator : IEstimator<JointPostTrainTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly JointPostTrainOptions _options;
    private readonly IProgress<TrainingProgress>? _progress;

    internal JointPostTrainEstimator(IHostEnvironment environment, JointPostTrainOptions options, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _options = options;
        _progress = progress;
    }

    /// <summary>Trains on one view holding both kinds of rows (see <c>CombineData</c>).</summary>
    public JointPostTrainTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Train(_environment, _options, PostTrainingRowReader.Read(input, _options), _progress);
    }

    /// <summary>Trains on separate instruction and preference views (each already tokenized).</summary>
    public JointPostTrainTransformer Fit(IDataView instructions, IDataView preferences)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(preferences);
        var sft = PostTrainingRowReader.Read(instructions, _options);
        var dpo = PostTrainingRowReader.Read(preferences, _options);
        return Train(_environment, _options, sft with { Preferences = dpo.Preferences, PreferenceReport = dpo.PreferenceReport }, _progress);
    }

    /// <summary>The input shape plus the columns the fitted model adds (generated Response, log-likelihoods, rewards).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var promptTokens = PostTrainingColumnNames.TokensOf(_options.Columns.Prompt);
        if (!inputSchema.Any(c => c.Name == promptTokens))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"JointPostTrain needs the token column '{promptTokens}'; put TokenizeForCausalLm before it.");
        bool Has(string text) => inputSchema.Any(c => c.Name == PostTrainingColumnNames.TokensOf(text));
        var columns = inputSchema.ToList();
        if (!inputSchema.Any(c => c.Name == _options.Columns.Response))
            columns.Add(MlNetBridge.ShapeColumn(_options.Columns.Response, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance));
        if (Has(_options.Columns.Response))
            columns.Add(MlNetBridge.ShapeColumn(JointPostTrainTransformer.ResponseLogLikelihoodColumn, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single));
        if (Has(_options.Columns.Chosen) && Has(_options.Columns.Rejected))
        {
            foreach (var name in new[] { JointPostTrainTransformer.ChosenLogLikelihoodColumn, JointPostTrainTransformer.RejectedLogLikelihoodColumn,
                         JointPostTrainTransformer.ChosenRewardColumn, JointPostTrainTransformer.RejectedRewardColumn })
                columns.Add(MlNetBridge.ShapeColumn(name, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single));
            columns.Add(MlNetBridge.ShapeColumn(JointPostTrainTransformer.PreferenceCorrectColumn, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance));
        }
        return new SchemaShape(columns);
    }

    /// <summary>Makes fresh starting models as the options say (a folder or a configuration), on the resolved device.</summary>
    internal static Func<CausalLm> ModelFactory(JointPostTrainOptions options)
    {
        var context = TorchContext.Create(options.Runtime);
        var modelOptions = new ModelOptions { Dtype = options.Dtype, Device = context.Device, Seed = options.Runtime.EffectiveSeed };
        return () => options.BaseModel is { } folder ? CausalLm.FromPretrained(folder, modelOptions) : CausalLm.Create(options.BaseModelConfig!, modelOptions);
    }

    /// <summary>Trains on read rows and wraps the result as a transformer (shared with the Pareto stage).</summary>
    internal static JointPostTrainTransformer Train(IHostEnvironment environment, JointPostTrainOptions options, PostTrainingRows rows,
        IProgress<TrainingProgress>? userProgress, CancellationToken cancellation = default)
    {
        var host = environment.Register("JointPostTrain");
        using var channel = host.Start("Fit");
        Log(channel, $"Instruction rows: {rows.InstructionReport}");
        Log(channel, $"Preference rows: {rows.PreferenceReport}");

        var tokenizer = options.Tokenizer ?? CausalLmTokenizer.FromPretrained(options.BaseModel!);
        var createModel = ModelFactory(options);

        using var scratch = new ScratchFolder();
        var training = options with { Reference = options.Reference with { ModelFolder = options.Reference.ModelFolder ?? scratch.Sub("reference") } };
        var progress = new ProgressToLog(channel, userProgress);
        var data = new JointTrainingData { Instructions = rows.Instructions, Preferences = rows.Preferences };
        var result = new JointTrainer(training).Train(createModel, data, progress, cancellation);
        try
        {
            var kept = KeptReference.Read(training.Reference.ModelFolder);
            CausalLm? reference = kept?.Load(training.Reference.ModelFolder, result.Model, createModel);
            var model = new PostTrainedModel(result.Model, tokenizer, reference, kept, options.Dpo.Beta);
            var summary = new TrainingSummary(result.Summary, rows.InstructionReport.ToString(), rows.PreferenceReport.ToString());
            Log(channel, $"Trained {summary.Strategy}: {summary.Steps} steps in {summary.RuntimeSeconds:F1} s; held-out f_SFT {summary.Final.FSft:F4}, f_DPO {summary.Final.FDpo:F4}.");
            return new JointPostTrainTransformer(model, options.Columns, options.Generation, options.Runtime.Device, summary);
        }
        catch
        {
            result.Model.Dispose();
            throw;
        }
    }

    // Through the channel, messages reach MLContext.Log; the text is an argument, never a format string.
    private static void Log(IChannel channel, string message) => channel.Info(MessageSensitivity.None, "{0}", message);

    /// <summary>Forwards progress to the caller and writes each evaluation to MLContext.Log.</summary>
    private sealed class ProgressToLog(IChannel channel, IProgress<TrainingProgress>? user) : IProgress<TrainingProgress>
    {
        private string? _phase;

        public void Report(TrainingProgress value)
        {
            user?.Report(value);
            if (value.Phase != _phase) { _phase = value.Phase; Log(channel, $"{value.Phase}: {value.TotalSteps} steps"); }
            if (value.Step == value.TotalSteps || value.Step % 50 == 0)
                Log(channel, $"{value.Phase} step {value.Step}/{value.TotalSteps}: " + string.Join(", ", value.ToDictionary().Select(m => $"{m.Key} {m.Value:G4}")));
        }
    }
}
