using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.Interop;
using XRight.Runtime;
using XRight.Selection;
using XRight.Selection.Jobs;
using XRight.Text;
using XRight.Training;

namespace XRight.MLNet;

/// <summary>
/// The Pareto-aware selection stage: reads the rows, runs the core <see cref="ParetoSweep"/> with a candidate
/// trainer that fits a <c>JointPostTrain</c> stage and saves it as a model zip, writes the report (Markdown,
/// JSON) and plots (PNG) into the working directory, and returns the chosen model. Finished candidates,
/// checkpoints and the f* estimate stay there, so a later sweep with the same content key (options, rows,
/// base model, tokenizer) reuses them. With <see cref="ParetoSweepOptions.Benchmarks"/>, every candidate's zip is
/// loaded back and benchmarked, the results cached in the working directory and shown in the report. Created by <c>mlContext.PostTraining.ParetoSelect(...)</c>.
/// </summary>
public sealed class ParetoSelectEstimator : IEstimator<JointPostTrainTransformer>
{
    private readonly MLContext _context;
    private readonly JointPostTrainOptions _base;
    private readonly ParetoSweepOptions _options;
    private readonly IProgress<ParetoProgress>? _progress;

    internal ParetoSelectEstimator(MLContext context, JointPostTrainOptions baseOptions, ParetoSweepOptions options, IProgress<ParetoProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        ArgumentNullException.ThrowIfNull(options);
        baseOptions.Validate();
        options.Validate(baseOptions.Strategy.Epochs);
        _context = context;
        _base = baseOptions;
        _options = options;
        _progress = progress;
    }

    /// <summary>The report of the last <c>Fit</c>: every candidate, the front, the ideal point, the choice and what was reused.</summary>
    public SelectionReport? Report { get; private set; }

    /// <summary>The folder of the last <c>Fit</c>: candidate models, report.md/json, objective-space.png, metrics.png.</summary>
    public string? WorkingDirectory { get; private set; }

    /// <summary>
    /// Runs the sweep on one view with both kinds of rows (see <c>CombineData</c>) and returns the chosen
    /// model; the first <c>Evaluation.Fraction</c> of each kind is held out.
    /// </summary>
    public JointPostTrainTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Sweep(PostTrainingRowReader.Read(input, _base), validation: null, input.Schema);
    }

    /// <summary>
    /// Runs the sweep on every row of <paramref name="trainData"/>, measuring every candidate (and f*) on
    /// <paramref name="validationData"/>, as ML.NET trainers do with a validation set. Both views hold both
    /// kinds of rows; for separate instruction and preference views, use <see cref="FitSeparate"/>.
    /// </summary>
    public JointPostTrainTransformer Fit(IDataView trainData, IDataView validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(validationData);
        return Sweep(PostTrainingRowReader.Read(trainData, _base), PostTrainingRowReader.Read(validationData, _base), trainData.Schema);
    }

    /// <summary>
    /// Runs the sweep on separate (tokenized) instruction and preference views, with the held-out rows taken
    /// from <paramref name="validationData"/> (both kinds of rows) when given, else split off each view.
    /// </summary>
    public JointPostTrainTransformer FitSeparate(IDataView instructions, IDataView preferences, IDataView? validationData = null)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(preferences);
        var sft = PostTrainingRowReader.Read(instructions, _base);
        var dpo = PostTrainingRowReader.Read(preferences, _base);
        var validation = validationData is null ? null : PostTrainingRowReader.Read(validationData, _base);
        return Sweep(sft with { Preferences = dpo.Preferences, PreferenceReport = dpo.PreferenceReport }, validation, instructions.Schema);
    }

    /// <summary>The same shape as a single <c>JointPostTrain</c> stage.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => new JointPostTrainEstimator(_context, _base).GetOutputSchema(inputSchema);

    /// <summary>
    /// The sweep <see cref="Fit(IDataView)"/> would run, split into jobs (shared reference, f*, each candidate)
    /// for a scheduler's job array or several workers on the working directory (which must be given): plan
    /// them, run each, then select with <see cref="SaveSelection"/>. Each candidate is saved as a model zip.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid or the working directory is not given.</exception>
    public SweepJobs CreateJobs(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rows = PostTrainingRowReader.Read(input, _base);
        var (inputs, trainer) = Setup(rows, validation: null, input.Schema);
        return new SweepJobs(_options, inputs, trainer);
    }

    /// <summary>
    /// Writes a sweep's report and plots into its working directory (report.md, report.json,
    /// objective-space.png, metrics.png), as <c>Fit</c> does, and remembers the report.
    /// </summary>
    public void SaveSelection(ParetoSweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var report = Report = result.Report;
        var work = WorkingDirectory = result.WorkingDirectory;
        report.SaveMarkdown(Path.Combine(work, "report.md"));
        report.SaveJson(Path.Combine(work, "report.json"));
        SelectionPlots.SaveObjectiveSpace(report, Path.Combine(work, "objective-space.png"));
        SelectionPlots.SaveMetricBars(report, Path.Combine(work, "metrics.png"));
    }

    private (SweepInputs Inputs, ISweepCandidateTrainer Trainer) Setup(PostTrainingRows rows, PostTrainingRows? validation, DataViewSchema schema)
    {
        var createModel = JointPostTrainEstimator.ModelFactory(_base);
        var inputs = new SweepInputs
        {
            Options = _base,
            Data = new JointTrainingData
            {
                Instructions = rows.Instructions,
                Preferences = rows.Preferences,
                InstructionEvaluation = validation?.Instructions,
                PreferenceEvaluation = validation?.Preferences,
            },
            CreateModel = createModel,
            ModelIdentity = ModelIdentity(_base, createModel),
        };
        return (inputs, new ZipCandidateTrainer(_context, rows, validation, schema));
    }

    private JointPostTrainTransformer Sweep(PostTrainingRows rows, PostTrainingRows? validation, DataViewSchema schema)
    {
        var (inputs, trainer) = Setup(rows, validation, schema);
        // mlContext.CancelExecution() cancels the hosts of the context: asked at every step report of every run.
        var host = ((IHostEnvironment)_context).Register("ParetoSelect");
        using var stop = new CancellationTokenSource();
        var progress = new SyncProgress<ParetoProgress>(report =>
        {
            _progress?.Report(report);
            if (MlNetBridge.IsCanceled(host)) stop.Cancel();
        });
        var result = new ParetoSweep(_options).Run(inputs, trainer, progress, stop.Token);
        SaveSelection(result);
        return LoadCandidate(result.Chosen.ModelPath!);
    }

    // The base model (its folder's files, or a fresh model's config and weights), the tokenizer's files and the weight type.
    private static string ModelIdentity(JointPostTrainOptions options, Func<XRight.Modeling.CausalLm> createModel)
    {
        string model;
        if (options.BaseModel is { } folder) model = ContentHash.OfFolder(folder);
        else
        {
            using var fresh = createModel();
            model = ContentHash.OfModel(fresh);
        }
        var tokenizer = options.Tokenizer is { } t ? ContentHash.OfFiles(t.ToFiles()) : "tokenizer of the base model folder";
        return ContentHash.Combine(model, tokenizer, "dtype=" + options.Dtype);
    }

    private JointPostTrainTransformer LoadCandidate(string path)
    {
        var loaded = _context.Model.Load(path, out _);
        return loaded as JointPostTrainTransformer
            ?? (loaded as IEnumerable<ITransformer>)?.OfType<JointPostTrainTransformer>().LastOrDefault()
            ?? throw new InvalidDataException($"'{path}' holds no post-trained model.");
    }

    /// <summary>Fits a <c>JointPostTrain</c> stage for a candidate and saves it as a model zip; loads such a zip back for the benchmarks.</summary>
    private sealed class ZipCandidateTrainer(MLContext context, PostTrainingRows rows, PostTrainingRows? validation, DataViewSchema schema) : ISweepCandidateTrainer, ISweepModelLoader
    {
        public SweepModel Load(string modelPath)
        {
            var loaded = context.Model.Load(modelPath, out _);
            var model = loaded as JointPostTrainTransformer
                ?? (loaded as IEnumerable<ITransformer>)?.OfType<JointPostTrainTransformer>().LastOrDefault();
            if (model is null)
            {
                (loaded as IDisposable)?.Dispose();
                throw new InvalidDataException($"'{modelPath}' holds no post-trained model.");
            }
            return new SweepModel(model.Policy, model.Tokenizer, model);
        }

        public string ModelSuffix => ".zip";

        public TrainingRunSummary Train(SweepCandidateRun run, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
        {
            using var model = JointPostTrainEstimator.Train(context, (JointPostTrainOptions)run.Options, rows, progress, validation, cancellationToken);
            context.Model.Save(model, schema, run.ModelPath);
            return model.Summary;
        }
    }
}
