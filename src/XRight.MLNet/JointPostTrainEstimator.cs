using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.Interop;
using XRight.Modeling;
using XRight.Runtime;
using XRight.Selection;
using XRight.TextStages;
using XRight.Text;
using XRight.Training;
using XRight.Training.Reference;

namespace XRight.MLNet;

/// <summary>
/// Trains a causal LM jointly on the instruction and preference rows of its input (after
/// <c>FormatPrompt</c> and <c>TokenizeForCausalLm</c>) and returns it as a
/// <see cref="JointPostTrainTransformer"/>. Created by <c>mlContext.PostTraining.JointPostTrain(...)</c>,
/// which applies the context's conventions to the options (seed, GPU; see <c>PostTrainingCatalog</c>).
/// <c>mlContext.PostTraining.CancelExecution()</c> (ML.NET's <c>MLContext.CancelExecution</c>) stops a fit
/// between two steps with <see cref="OperationCanceledException"/>; checkpoints written until then stay.
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
        _options = MlContextConventions.Apply(environment, options);
        _progress = progress;
    }

    /// <summary>The options training runs with: the given ones with the context's seed and GPU applied.</summary>
    internal JointPostTrainOptions Options => _options;

    /// <summary>
    /// Trains on one view holding both kinds of rows (see <c>CombineData</c>); the first
    /// <c>Evaluation.Fraction</c> of each kind is held out for the held-out metrics.
    /// </summary>
    public JointPostTrainTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Train(_environment, _options, PostTrainingRowReader.Read(input, _options), _progress);
    }

    /// <summary>
    /// Trains on every row of <paramref name="trainData"/> and measures the held-out metrics (trajectory,
    /// stopping rules, f*) on <paramref name="validationData"/>, as ML.NET trainers do with a validation
    /// set. Both views hold both kinds of rows (see <c>CombineData</c>) and are tokenized by the same text
    /// stages. For separate instruction and preference views, use <see cref="FitSeparate"/>.
    /// </summary>
    public JointPostTrainTransformer Fit(IDataView trainData, IDataView validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(validationData);
        var train = PostTrainingRowReader.Read(trainData, _options);
        var validation = PostTrainingRowReader.Read(validationData, _options);
        return Train(_environment, _options, train, _progress, validation);
    }

    /// <summary>
    /// Trains on separate (tokenized) instruction and preference views, with the held-out rows taken from
    /// <paramref name="validationData"/> (both kinds of rows) when given, else split off each view.
    /// </summary>
    public JointPostTrainTransformer FitSeparate(IDataView instructions, IDataView preferences, IDataView? validationData = null)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(preferences);
        var sft = PostTrainingRowReader.Read(instructions, _options);
        var dpo = PostTrainingRowReader.Read(preferences, _options);
        var validation = validationData is null ? null : PostTrainingRowReader.Read(validationData, _options);
        return Train(_environment, _options, sft with { Preferences = dpo.Preferences, PreferenceReport = dpo.PreferenceReport }, _progress, validation);
    }

    /// <summary>The input shape plus the columns the fitted model adds (generated Response, log-likelihoods, token accuracy, rewards).</summary>
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
        {
            columns.Add(MlNetBridge.ShapeColumn(JointPostTrainTransformer.ResponseLogLikelihoodColumn, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single));
            columns.Add(MlNetBridge.ShapeColumn(JointPostTrainTransformer.ResponseTokenAccuracyColumn, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single));
        }
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
        // Only the device: the trainer seeds torch's generators itself when the run starts.
        var device = TorchContext.ResolveDevice(options.Runtime.Device, options.Runtime.AllowCpuFallback);
        var modelOptions = new ModelOptions { Dtype = options.Dtype, Device = device, Seed = options.Runtime.EffectiveSeed };
        return () => options.BaseModel is { } folder ? CausalLm.FromPretrained(folder, modelOptions) : CausalLm.Create(options.BaseModelConfig!, modelOptions);
    }

    /// <summary>
    /// Trains on read rows and wraps the result as a transformer (shared with the Pareto stage). The
    /// held-out rows are <paramref name="validation"/>'s when given, else split off the training rows.
    /// The run stops between steps when the context's execution is cancelled or <paramref name="cancellation"/> fires.
    /// </summary>
    internal static JointPostTrainTransformer Train(IHostEnvironment environment, JointPostTrainOptions options, PostTrainingRows rows,
        IProgress<TrainingProgress>? userProgress, PostTrainingRows? validation = null, CancellationToken cancellation = default)
    {
        var host = environment.Register("JointPostTrain");
        using var channel = host.Start("Fit");
        Log(channel, $"Instruction rows: {rows.InstructionReport}");
        Log(channel, $"Preference rows: {rows.PreferenceReport}");
        if (validation is not null)
        {
            CheckValidation(options, rows, validation);
            Log(channel, $"Validation instruction rows: {validation.InstructionReport}");
            Log(channel, $"Validation preference rows: {validation.PreferenceReport}");
        }
        if (options.Strategy.UsesDpo && rows.Preferences.Count == 0)
            throw new ArgumentException($"Preference set is empty after validation: {rows.PreferenceReport.DescribeEmpty(rows.TokenLimit)}; {options.Strategy.Kind} trains on DPO.");
        if (options.Strategy.UsesSft && rows.Instructions.Count == 0)
            throw new ArgumentException($"Instruction set is empty after validation: {rows.InstructionReport.DescribeEmpty(rows.TokenLimit)}; {options.Strategy.Kind} trains on SFT.");

        var tokenizer = options.Tokenizer ?? CausalLmTokenizer.FromPretrained(options.BaseModel!);
        var createModel = ModelFactory(options);

        // The fitted model carries its DPO reference, so the run keeps it: beside the checkpoints when there
        // are any (a run resumed from them skips building the reference and finds it there), else in scratch.
        using var scratch = new ScratchFolder();
        var referenceFolder = options.Reference.ModelFolder
            ?? (options.Checkpoints.Directory is { } checkpoints ? Path.Combine(checkpoints, "reference") : scratch.Sub("reference"));
        var training = options with { Reference = options.Reference with { ModelFolder = referenceFolder } };
        // ML.NET cancels the hosts registered on a context; the trainer checks the token before each step,
        // and each step ends with a progress report, where the host is asked.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var progress = new ProgressToLog(channel, userProgress, () => { if (MlNetBridge.IsCanceled(host)) stop.Cancel(); });
        var data = new JointTrainingData
        {
            Instructions = rows.Instructions,
            Preferences = rows.Preferences,
            InstructionEvaluation = validation?.Instructions,
            PreferenceEvaluation = validation?.Preferences,
            TokenizerFingerprint = ContentHash.OfFiles(tokenizer.ToFiles()),
            // Completion samples show text as the fitted model will (special tokens left out).
            Decode = ids => SampleText(tokenizer, ids),
        };
        var result = new JointTrainer(training).Train(createModel, data, progress, stop.Token);
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

    // A validation view replaces the held-out split, so it needs the rows of every objective trained on.
    private static void CheckValidation(JointPostTrainOptions options, PostTrainingRows train, PostTrainingRows validation)
    {
        if (train.Preferences.Count == 0 && train.Instructions.Count > 0 && validation.Instructions.Count == 0 && validation.Preferences.Count > 0)
            throw new ArgumentException("Fit(trainData, validationData) got training data with only instruction rows and validation data with only " +
                "preference rows: its second view is the held-out set. To train on separate instruction and preference views, use " +
                "FitSeparate(instructions, preferences) or mlContext.PostTraining.CombineData.");
        if (options.Strategy.UsesSft && validation.Instructions.Count == 0)
            throw new ArgumentException($"The validation data has no instruction rows ({validation.InstructionReport}), but {options.Strategy.Kind} trains on SFT; " +
                "give held-out rows of both kinds (e.g. a view from CombineData).");
        if (options.Strategy.UsesDpo && validation.Preferences.Count == 0)
            throw new ArgumentException($"The validation data has no preference rows ({validation.PreferenceReport}), but {options.Strategy.Kind} trains on DPO; " +
                "give held-out rows of both kinds (e.g. a view from CombineData).");
    }

    /// <summary>
    /// The text of a completion sample. A model's vocabulary may be larger than its tokenizer's (padded
    /// embeddings), and a model in training can generate such ids: they are shown as <c>&lt;id:N&gt;</c>
    /// between the decoded runs of the others, so a log line never fails a run.
    /// </summary>
    internal static string SampleText(CausalLmTokenizer tokenizer, IReadOnlyList<int> ids)
    {
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        foreach (int id in ids)
        {
            if ((uint)id < (uint)tokenizer.VocabSize) { run.Add(id); continue; }
            text.Append(tokenizer.Decode(run)).Append("<id:").Append(id).Append('>');
            run.Clear();
        }
        return text.Append(tokenizer.Decode(run)).ToString();
    }

    // Through the channel, messages reach MLContext.Log; the text is an argument, never a format string.
    private static void Log(IChannel channel, string message) => channel.Info(MessageSensitivity.None, "{0}", message);

    /// <summary>
    /// Forwards progress to the caller, writes it to MLContext.Log, and then checks for cancellation. Held-out
    /// evaluations and their completion samples are logged too (and forwarded when the caller's progress
    /// receiver also takes <see cref="TrainingEvaluation"/>).
    /// </summary>
    private sealed class ProgressToLog(IChannel channel, IProgress<TrainingProgress>? user, Action afterReport) : IProgress<TrainingProgress>, IProgress<TrainingEvaluation>
    {
        public void Report(TrainingEvaluation value)
        {
            (user as IProgress<TrainingEvaluation>)?.Report(value);
            var heldOut = value.HeldOut;
            Log(channel, $"{value.Phase} step {value.Step} held-out: f_SFT {heldOut.FSft:G6}, f_DPO {heldOut.FDpo:G6}");
            foreach (var sample in value.Samples)
                Log(channel, $"{value.Phase} step {value.Step} sample {sample.Index}: {sample}");
        }

        private string? _phase;

        public void Report(TrainingProgress value)
        {
            user?.Report(value);
            if (value.Phase != _phase) { _phase = value.Phase; Log(channel, $"{value.Phase}: {value.TotalSteps} steps"); }
            if (value.Step == value.TotalSteps || value.Step % 50 == 0)
                Log(channel, $"{value.Phase} step {value.Step}/{value.TotalSteps}: " + string.Join(", ", value.ToDictionary().Select(m => $"{m.Key} {m.Value:G4}")));
            afterReport();
        }
    }
}
