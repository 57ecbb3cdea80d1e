using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Selection;
using XRight.Text;
using XRight.Training;

namespace XRight.MLNet;

/// <summary>
/// The Pareto-aware selection stage: reads the rows, runs the core <see cref="ParetoSweep"/> with a candidate
/// trainer that fits a <c>JointPostTrain</c> stage and saves it as a model zip, writes the report (Markdown,
/// JSON) and plots (PNG) into the working directory, and returns the chosen model. Finished candidates,
/// checkpoints and the f* estimate stay there, so a later sweep with the same content key (options, rows,
/// base model, tokenizer) reuses them. Created by <c>mlContext.PostTraining.ParetoSelect(...)</c>.
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

    /// <summary>Runs the sweep on one view with both kinds of rows and returns the chosen model.</summary>
    public JointPostTrainTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Sweep(PostTrainingRowReader.Read(input, _base), input.Schema);
    }

    /// <summary>Runs the sweep on separate (tokenized) instruction and preference views.</summary>
    public JointPostTrainTransformer Fit(IDataView instructions, IDataView preferences)
    {
        var sft = PostTrainingRowReader.Read(instructions, _base);
        var dpo = PostTrainingRowReader.Read(preferences, _base);
        return Sweep(sft with { Preferences = dpo.Preferences, PreferenceReport = dpo.PreferenceReport }, instructions.Schema);
    }

    /// <summary>The same shape as a single <c>JointPostTrain</c> stage.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => new JointPostTrainEstimator(_context, _base).GetOutputSchema(inputSchema);

    private JointPostTrainTransformer Sweep(PostTrainingRows rows, DataViewSchema schema)
    {
        var createModel = JointPostTrainEstimator.ModelFactory(_base);
        var inputs = new SweepInputs
        {
            Options = _base,
            Data = new JointTrainingData { Instructions = rows.Instructions, Preferences = rows.Preferences },
            CreateModel = createModel,
            ModelIdentity = ModelIdentity(_base, createModel),
        };
        var result = new ParetoSweep(_options).Run(inputs, new ZipCandidateTrainer(_context, rows, schema), _progress);
        var report = Report = result.Report;
        var work = WorkingDirectory = result.WorkingDirectory;
        report.SaveMarkdown(Path.Combine(work, "report.md"));
        report.SaveJson(Path.Combine(work, "report.json"));
        SelectionPlots.SaveObjectiveSpace(report, Path.Combine(work, "objective-space.png"));
        SelectionPlots.SaveMetricBars(report, Path.Combine(work, "metrics.png"));
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

    /// <summary>Fits a <c>JointPostTrain</c> stage for a candidate and saves it as a model zip.</summary>
    private sealed class ZipCandidateTrainer(MLContext context, PostTrainingRows rows, DataViewSchema schema) : ISweepCandidateTrainer
    {
        public string ModelSuffix => ".zip";

        public TrainingRunSummary Train(SweepCandidateRun run, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
        {
            using var model = JointPostTrainEstimator.Train(context, (JointPostTrainOptions)run.Options, rows, progress, cancellationToken);
            context.Model.Save(model, schema, run.ModelPath);
            return model.Summary;
        }
    }
}
