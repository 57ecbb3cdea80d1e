using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.IO;
using XRight.Selection;
using XRight.Training;
using XRight.Training.Checkpoints;

namespace XRight.MLNet;

/// <summary>
/// The Pareto-aware selection stage. <see cref="Fit(IDataView)"/> estimates f*_DPO and f*_SFT (unless
/// given), trains every candidate of the sweep one after another (each from the same base model, with
/// the same reference and held-out rows), evaluates them, computes the Pareto front, ideal point, ideal
/// distances and G_Mix, picks a model by the rule, writes the report (Markdown, JSON) and plots (PNG), and
/// returns the chosen model. Finished candidates and checkpoints stay in the working directory, so an
/// interrupted sweep resumes where it stopped. Created by <c>mlContext.PostTraining.ParetoSelect(...)</c>.
/// </summary>
public sealed class ParetoSelectEstimator : IEstimator<JointPostTrainTransformer>
{
    private readonly MLContext _context;
    private readonly JointPostTrainOptions _base;
    private readonly ParetoSelectOptions _options;

    private readonly IProgress<ParetoProgress>? _progress;

    internal ParetoSelectEstimator(MLContext context, JointPostTrainOptions baseOptions, ParetoSelectOptions options, IProgress<ParetoProgress>? progress = null)
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

    /// <summary>The report of the last <c>Fit</c>: every candidate, the front, the ideal point and the choice.</summary>
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
        var work = WorkingDirectory = Path.GetFullPath(_options.WorkingDirectory ?? Path.Combine(Path.GetTempPath(), "xright-pareto-" + Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(Path.Combine(work, "candidates"));
        var shared = _base with
        {
            Reference = _base.Reference with
            {
                CacheFile = _base.Reference.CacheFile ?? Path.Combine(work, "reference.cache"),
                ModelFolder = _base.Reference.ModelFolder ?? Path.Combine(work, "reference"),
            },
        };
        var plan = Plan(shared);
        var (dpoStar, sftStar) = Optimum(shared, rows, work, plan.Count);

        var candidates = new List<SelectionCandidate>();
        for (int i = 0; i < plan.Count; i++)
            candidates.Add(RunCandidate(plan[i], i, plan.Count, rows, schema, work, dpoStar, sftStar));

        var report = Report = ParetoSelection.Analyze(candidates, new ParetoSelectionOptions { Rule = _options.Rule, DpoOptimum = dpoStar, SftOptimum = sftStar });
        report.SaveMarkdown(Path.Combine(work, "report.md"));
        report.SaveJson(Path.Combine(work, "report.json"));
        SelectionPlots.SaveObjectiveSpace(report, Path.Combine(work, "objective-space.png"));
        SelectionPlots.SaveMetricBars(report, Path.Combine(work, "metrics.png"));
        return LoadCandidate(report.ChosenCandidate.Candidate.ModelPath!);
    }

    /// <summary>One candidate of the sweep: its name, file-safe slug and options.</summary>
    private sealed record Candidate(string Name, string Slug, JointPostTrainOptions Options, SequentialSchedule? Sequential);

    private List<Candidate> Plan(JointPostTrainOptions shared)
    {
        var plan = new List<Candidate>();
        foreach (var strategy in _options.Strategies)
            foreach (var lambda in _options.Lambdas)
            {
                var o = shared with { Strategy = shared.Strategy with { Kind = strategy, Lambda = lambda } };
                var label = strategy switch
                {
                    JointStrategy.AlRight => "ALRIGHT",
                    JointStrategy.MaxRight => "MAXRIGHT",
                    JointStrategy.MemoryEfficientMaxRight => $"MAXRIGHT k={o.Strategy.MaxRightEvaluationInterval}",
                    JointStrategy.Mix => "Mix",
                    _ => strategy.ToString(),
                };
                var l = lambda.ToString("0.###", CultureInfo.InvariantCulture);
                plan.Add(new Candidate($"{label} λ={l}", $"{strategy}-l{l}".ToLowerInvariant(), o, null));
            }
        if (_options.IncludeSequentialBaselines)
            foreach (var n in _options.SequentialDpoEpochs ?? Enumerable.Range(1, shared.Strategy.Epochs - 1).ToArray())
            {
                var o = shared with { Strategy = shared.Strategy with { Kind = JointStrategy.Sequential, SequentialDpoEpochs = n, SequentialSftEpochs = shared.Strategy.Epochs - n } };
                var schedule = new SequentialSchedule(n, shared.Strategy.Epochs - n);
                plan.Add(new Candidate($"Sequential ({n},{shared.Strategy.Epochs - n})", $"sequential-{n}-{shared.Strategy.Epochs - n}", o, schedule));
            }
        return plan;
    }

    private ObjectivePair Optimum(JointPostTrainOptions shared, PostTrainingRows rows, string work, int count)
    {
        if (_options.DpoOptimum is { } givenDpo && _options.SftOptimum is { } givenSft) return new(givenDpo, givenSft);
        var file = Path.Combine(work, "optimum.json");
        if (_options.Resume && File.Exists(file) && JsonSerializer.Deserialize<ObjectivePair?>(File.ReadAllText(file)) is { } saved)
            return new(_options.DpoOptimum ?? saved.Dpo, _options.SftOptimum ?? saved.Sft);
        var progress = Forward("f* estimate", -1, count);
        var data = new JointTrainingData { Instructions = rows.Instructions, Preferences = rows.Preferences };
        var estimate = new JointTrainer(shared).EstimateOptimum(JointPostTrainEstimator.ModelFactory(shared), data, progress);
        AtomicFile.WriteAllText(file, JsonSerializer.Serialize(estimate));
        return new(_options.DpoOptimum ?? estimate.Dpo, _options.SftOptimum ?? estimate.Sft);
    }

    private SelectionCandidate RunCandidate(Candidate candidate, int index, int count, PostTrainingRows rows, DataViewSchema schema,
        string work, double dpoStar, double sftStar)
    {
        var zip = Path.Combine(work, "candidates", candidate.Slug + ".zip");
        var record = Path.Combine(work, "candidates", candidate.Slug + ".json");
        if (_options.Resume && File.Exists(record) && File.Exists(zip))
        {
            _progress?.Report(new ParetoProgress(candidate.Name, index, count, null, Reused: true));
            return JsonSerializer.Deserialize<SelectionCandidate>(File.ReadAllText(record), JsonFile.CompactRecords)!;
        }
        var checkpoints = Path.Combine(work, "checkpoints", candidate.Slug);
        var o = candidate.Options with
        {
            Strategy = candidate.Options.Strategy with { DpoOptimum = dpoStar, SftOptimum = sftStar },
            Checkpoints = candidate.Options.Checkpoints with
            {
                Directory = checkpoints,
                ResumeFrom = _options.Resume ? CheckpointStore.List(checkpoints).LastOrDefault() : null,
            },
        };
        _progress?.Report(new ParetoProgress(candidate.Name, index, count, null, Reused: false));

        using var model = JointPostTrainEstimator.Train(_context, o, rows, Forward(candidate.Name, index, count));
        _context.Model.Save(model, schema, zip);
        var summary = model.Summary;
        var result = new SelectionCandidate
        {
            Name = candidate.Name,
            Strategy = summary.Strategy,
            Lambda = candidate.Sequential is null ? o.Strategy.Lambda : null,
            Sequential = candidate.Sequential,
            Epochs = candidate.Sequential?.TotalEpochs ?? o.Strategy.Epochs,
            Run = summary,
            ModelPath = zip,
        };
        AtomicFile.WriteAllText(record, JsonSerializer.Serialize(result, JsonFile.CompactRecords));
        return result;
    }

    private IProgress<TrainingProgress>? Forward(string name, int index, int count)
        => _progress is { } sink ? new Progress(step => sink.Report(new ParetoProgress(name, index, count, step, Reused: false))) : null;

    private JointPostTrainTransformer LoadCandidate(string path)
    {
        var loaded = _context.Model.Load(path, out _);
        return loaded as JointPostTrainTransformer
            ?? (loaded as IEnumerable<ITransformer>)?.OfType<JointPostTrainTransformer>().LastOrDefault()
            ?? throw new InvalidDataException($"'{path}' holds no post-trained model.");
    }

    /// <summary>Forwards each report synchronously (System.Progress would post to a thread pool).</summary>
    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
