using XRight.Evaluation;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using XRight.IO;
using XRight.Runtime;
using XRight.Training;
using XRight.Training.Checkpoints;

namespace XRight.Selection;

/// <summary>
/// The Pareto-aware selection stage without ML.NET: estimates f*_DPO and f*_SFT (unless given), trains every
/// candidate of the sweep one after another (each from the same base model, with the same shared reference
/// and held-out rows) through an <see cref="ISweepCandidateTrainer"/> that also saves its model, and analyses
/// them (<see cref="ParetoSelection.Analyze"/>): Pareto front, ideal point, gaps, the rule's choice.
/// </summary>
/// <remarks>
/// The working directory keeps <c>optimum.json</c>, <c>candidates/&lt;slug&gt;.json</c> with each candidate's
/// model beside it, <c>checkpoints/&lt;slug&gt;/</c> and the shared reference (<c>reference.cache</c>,
/// <c>reference/</c>), and with benchmarks (<see cref="ParetoSweepOptions.Benchmarks"/>) <c>benchmarks/&lt;slug&gt;/&lt;name&gt;.json</c>,
/// one cached result per candidate and benchmark, keyed by the candidate's content key and the benchmark's
/// <see cref="SweepBenchmark.Identity"/>. Each file carries a content key: a hash of the run's options fingerprint (f* included),
/// of the data's token ids (<see cref="ContentHash.OfData"/>) and of <see cref="SweepInputs.ModelIdentity"/>.
/// A later sweep in the same folder reuses a finished candidate or f* estimate, and resumes a candidate from
/// its checkpoint, only when the key matches; anything else is recomputed and its files replaced. Writing
/// the report and plots is left to the caller (XRight.Reports: <c>SaveMarkdown</c>, <c>SaveJson</c>, <c>SelectionPlots</c>).
/// </remarks>
public sealed class ParetoSweep
{
    /// <summary>The f* estimate's file in the working directory.</summary>
    public const string OptimumFileName = "optimum.json";

    private const string CandidatesFolder = "candidates";
    private const string BenchmarksFolder = "benchmarks";
    private const string CheckpointsFolder = "checkpoints";
    private const string StagingFolder = ".staging";
    private const string CheckpointKeyFile = "content-key";
    private const string OptimumStage = "f* estimate";

    // Readable files (indented, enums by name), NaN allowed: a held-out metric without rows is NaN.
    private static readonly JsonSerializerOptions RecordJson = new(JsonFile.IndentedWithNamedFloats) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>A sweep with the given candidates, rule and working directory.</summary>
    public ParetoSweep(ParetoSweepOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The sweep.</summary>
    public ParetoSweepOptions Options { get; }

    /// <summary>
    /// The candidates, in training order: every strategy at every λ, then the Sequential baselines
    /// (T_DPO, E − T_DPO) with E the base options' epochs.
    /// </summary>
    /// <exception cref="ArgumentException">The sweep is invalid for these options or has no candidates.</exception>
    public IReadOnlyList<SweepCandidatePlan> Plan(JointTrainerOptions baseOptions)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        int epochs = baseOptions.Strategy.Epochs;
        Options.Validate(epochs);
        var plan = new List<SweepCandidatePlan>();
        foreach (var strategy in Options.Strategies)
            foreach (var lambda in Options.Lambdas)
            {
                var o = baseOptions with { Strategy = baseOptions.Strategy with { Kind = strategy, Lambda = lambda } };
                var family = strategy switch
                {
                    JointStrategy.AlRight => "ALRIGHT",
                    JointStrategy.MaxRight => "MAXRIGHT",
                    JointStrategy.MemoryEfficientMaxRight => $"MAXRIGHT k={o.Strategy.MaxRightEvaluationInterval}",
                    JointStrategy.Mix => "Mix",
                    _ => strategy.ToString(),
                };
                var l = lambda.ToString("0.###", CultureInfo.InvariantCulture);
                plan.Add(new SweepCandidatePlan($"{family} λ={l}", $"{strategy}-l{l}".ToLowerInvariant(), family, lambda, null, o));
            }
        if (Options.IncludeSequentialBaselines)
            foreach (var n in Options.SequentialDpoEpochs ?? Enumerable.Range(1, Math.Max(0, epochs - 1)).ToArray())
            {
                var o = baseOptions with { Strategy = baseOptions.Strategy with { Kind = JointStrategy.Sequential, SequentialDpoEpochs = n, SequentialSftEpochs = epochs - n } };
                plan.Add(new SweepCandidatePlan($"Sequential ({n},{epochs - n})", $"sequential-{n}-{epochs - n}", "Sequential", null, new SequentialSchedule(n, epochs - n), o));
            }
        if (plan.Count == 0)
            throw new ArgumentException($"{Options.GetType().Name}: the sweep has no candidates (no strategies or λ, and no Sequential baselines).");
        var duplicate = plan.GroupBy(c => c.Slug).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"{Options.GetType().Name}: the candidate '{duplicate.First().Name}' appears more than once; list each strategy, λ and split once.");
        return plan;
    }

    /// <summary>Runs the sweep: f*, every candidate (reusing what an earlier sweep finished with the same content key), the analysis.</summary>
    /// <param name="inputs">The base options, data, model factory and model identity every candidate shares.</param>
    /// <param name="trainer">Trains one candidate and saves its model.</param>
    /// <param name="progress">Receives which candidate is training (or reused) and its step reports.</param>
    /// <param name="cancellationToken">Stops the sweep between steps; finished candidates and checkpoints stay for the next sweep.</param>
    /// <exception cref="UnsatisfiedSelectionRuleException">No candidate satisfies the rule's constraint.</exception>
    public ParetoSweepResult Run(SweepInputs inputs, ISweepCandidateTrainer trainer, IProgress<ParetoProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var context = Start(inputs, trainer, progress, cancellationToken);
        var plan = Plan(context.Inputs.Options);
        var (optimum, optimumReused) = Optimum(context, plan.Count);

        var candidates = new List<SelectionCandidate>();
        for (int i = 0; i < plan.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            candidates.Add(RunBenchmarks(context, plan[i], i, plan.Count, optimum, RunCandidate(context, plan[i], i, plan.Count, optimum)));
        }
        return Analyze(context, candidates, optimum, optimumReused);
    }

    /// <summary>
    /// Checks the inputs and every option, creates the working directory and fixes what every step of the
    /// sweep shares: the shared reference's files, the data's content key. Nothing is trained.
    /// </summary>
    internal SweepContext Start(SweepInputs inputs, ISweepCandidateTrainer trainer, IProgress<ParetoProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(inputs.Options, nameof(inputs));
        ArgumentNullException.ThrowIfNull(inputs.Data, nameof(inputs));
        ArgumentNullException.ThrowIfNull(inputs.CreateModel, nameof(inputs));
        ArgumentException.ThrowIfNullOrWhiteSpace(inputs.ModelIdentity, nameof(inputs));
        inputs.Options.Validate();
        if (Options.Benchmarks.Count > 0 && trainer is not ISweepModelLoader)
            throw new ArgumentException($"{Options.GetType().Name}.Benchmarks needs the candidates' models back, but the candidate trainer {trainer.GetType().Name} does not implement {nameof(ISweepModelLoader)}.", nameof(trainer));
        // Every option is checked before the working directory is created or anything is trained.
        Plan(inputs.Options);

        var work = Path.GetFullPath(Options.WorkingDirectory ?? Path.Combine(Path.GetTempPath(), "xright-pareto-" + Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(Path.Combine(work, CandidatesFolder));
        // One reference for the whole sweep: its cache and kept model carry their own fingerprint (base model, rows, options).
        var shared = inputs.Options with
        {
            Reference = inputs.Options.Reference with
            {
                CacheFile = inputs.Options.Reference.CacheFile ?? Path.Combine(work, "reference.cache"),
                ModelFolder = inputs.Options.Reference.ModelFolder ?? Path.Combine(work, "reference"),
            },
        };
        return new SweepContext(work, inputs with { Options = shared }, ContentHash.OfData(inputs.Data), trainer, progress, cancellationToken);
    }

    /// <summary>The analysis of trained candidates: front, ideal point, the rule's choice.</summary>
    internal ParetoSweepResult Analyze(SweepContext context, IReadOnlyList<SelectionCandidate> candidates, ObjectivePair optimum, bool optimumReused)
    {
        var estimated = optimumReused ? IdealValueSource.ReusedEstimate : IdealValueSource.Estimated;
        var report = ParetoSelection.Analyze(candidates, new ParetoSelectionOptions
        {
            Rule = Options.Rule,
            DpoOptimum = optimum.Dpo,
            SftOptimum = optimum.Sft,
            DpoOptimumSource = Options.DpoOptimum is null ? estimated : IdealValueSource.Given,
            SftOptimumSource = Options.SftOptimum is null ? estimated : IdealValueSource.Given,
            ImprovementMetrics = Options.EffectiveImprovementMetrics,
        });
        return new ParetoSweepResult(report, report.ChosenCandidate.Candidate, optimum, context.Work);
    }

    /// <summary>What every step of one <see cref="Run"/> shares.</summary>
    internal sealed record SweepContext(string Work, SweepInputs Inputs, string DataKey, ISweepCandidateTrainer Trainer,
        IProgress<ParetoProgress>? Progress, CancellationToken Cancellation)
    {
        public string Key(string kind, JointTrainerOptions options) => ContentHash.Combine(kind, OptionsFingerprint.Of(options), DataKey, Inputs.ModelIdentity);

        public IProgress<TrainingProgress>? Forward(string name, int index, int count)
            => Progress is { } sink ? new SyncProgress<TrainingProgress>(step => sink.Report(new ParetoProgress(name, index, count, step, Reused: false))) : null;
    }

    /// <summary>The optimum.json file: the estimate and the content key it was computed for.</summary>
    private sealed record OptimumRecord(string Key, ObjectivePair? Optimum);

    /// <summary>A candidate's record file: the candidate and the content key it was trained for.</summary>
    private sealed record CandidateRecord(string Key, SelectionCandidate Candidate);

    /// <summary>f* as given, else the estimate kept in the working directory under the same content key, else a new estimate (saved).</summary>
    internal (ObjectivePair Optimum, bool Reused) Optimum(SweepContext context, int count)
    {
        if (Options.DpoOptimum is { } givenDpo && Options.SftOptimum is { } givenSft) return (new ObjectivePair(givenDpo, givenSft), false);
        var options = context.Inputs.Options;
        var key = context.Key("optimum", options);
        var file = Path.Combine(context.Work, OptimumFileName);
        ObjectivePair estimate;
        string? note = null;
        var saved = Options.Resume ? Read<OptimumRecord>(file, r => r.Key is not null && r.Optimum is { } o && double.IsFinite(o.Dpo) && double.IsFinite(o.Sft), out note) : null;
        bool reused = saved?.Key == key;
        if (reused)
        {
            estimate = saved!.Optimum!.Value;
            context.Progress?.Report(new ParetoProgress(OptimumStage, -1, count, null, Reused: true));
        }
        else
        {
            context.Progress?.Report(new ParetoProgress(OptimumStage, -1, count, null, Reused: false) { Note = note });
            estimate = new JointTrainer(options).EstimateOptimum(context.Inputs.CreateModel, context.Inputs.Data,
                context.Forward(OptimumStage, -1, count), context.Cancellation);
            AtomicFile.WriteAllText(file, JsonSerializer.Serialize(new OptimumRecord(key, estimate), RecordJson));
        }
        return (new ObjectivePair(Options.DpoOptimum ?? estimate.Dpo, Options.SftOptimum ?? estimate.Sft), reused);
    }

    /// <summary>f* as given, else the estimate kept in the working directory under the current content key; null when there is none.</summary>
    internal ObjectivePair? SavedOptimum(SweepContext context)
    {
        if (Options.DpoOptimum is { } givenDpo && Options.SftOptimum is { } givenSft) return new ObjectivePair(givenDpo, givenSft);
        var saved = Read<OptimumRecord>(Path.Combine(context.Work, OptimumFileName), r => r.Key is not null && r.Optimum is { } o && double.IsFinite(o.Dpo) && double.IsFinite(o.Sft), out _);
        return saved?.Key == context.Key("optimum", context.Inputs.Options) && saved.Optimum is { } estimate
            ? new ObjectivePair(Options.DpoOptimum ?? estimate.Dpo, Options.SftOptimum ?? estimate.Sft)
            : null;
    }

    /// <summary>True when f* is estimated (not both values given), so the sweep has an f* step.</summary>
    internal bool EstimatesOptimum => Options.DpoOptimum is null || Options.SftOptimum is null;

    /// <summary>A benchmark's cached result: the result and the key (candidate key and benchmark identity) it was computed for.</summary>
    private sealed record BenchmarkRecord(string Key, BenchmarkResult Result);

    /// <summary>The candidate's finished record when its content key matches (reused), else the candidate trained and saved now.</summary>
    internal SelectionCandidate RunCandidate(SweepContext context, SweepCandidatePlan plan, int index, int count, ObjectivePair optimum)
    {
        var candidates = Path.Combine(context.Work, CandidatesFolder);
        var modelPath = Path.Combine(candidates, plan.Slug + context.Trainer.ModelSuffix);
        var recordPath = Path.Combine(candidates, plan.Slug + ".json");
        var (options, key) = CandidateOptions(context, plan, optimum);

        string? note = null;
        if (Options.Resume && Read<CandidateRecord>(recordPath, r => r.Key is not null && r.Candidate is not null, out note) is { } saved && saved.Key == key && Exists(modelPath))
        {
            context.Progress?.Report(new ParetoProgress(plan.Name, index, count, null, Reused: true));
            return saved.Candidate with { Name = plan.Name, ModelPath = modelPath, Reused = true };
        }
        return TrainCandidate(context, plan, index, count, options, key, note);
    }

    /// <summary>The candidate's finished record and model when both are there under the content key it would be trained with now; else null.</summary>
    internal SelectionCandidate? FinishedCandidate(SweepContext context, SweepCandidatePlan plan, ObjectivePair optimum)
    {
        var candidates = Path.Combine(context.Work, CandidatesFolder);
        var modelPath = Path.Combine(candidates, plan.Slug + context.Trainer.ModelSuffix);
        var (_, key) = CandidateOptions(context, plan, optimum);
        return Read<CandidateRecord>(Path.Combine(candidates, plan.Slug + ".json"), r => r.Key is not null && r.Candidate is not null, out _) is { } saved
            && saved.Key == key && Exists(modelPath)
            ? saved.Candidate with { Name = plan.Name, ModelPath = modelPath }
            : null;
    }

    /// <summary>The candidate's training options (f* and its checkpoint folder filled in) and its content key.</summary>
    internal (JointTrainerOptions Options, string Key) CandidateOptions(SweepContext context, SweepCandidatePlan plan, ObjectivePair optimum)
    {
        var checkpoints = Path.Combine(context.Work, CheckpointsFolder, plan.Slug);
        var options = plan.Options with
        {
            // An estimated f* stops a candidate only while its evaluations do not contradict it (EvaluationOptions.StopGap).
            Strategy = plan.Options.Strategy with
            {
                DpoOptimum = optimum.Dpo,
                SftOptimum = optimum.Sft,
                DpoOptimumIsEstimate = Options.DpoOptimum is null,
                SftOptimumIsEstimate = Options.SftOptimum is null,
            },
            Checkpoints = plan.Options.Checkpoints with { Directory = checkpoints, ResumeFrom = null },
            // Each candidate's TensorBoard runs under a folder of its name.
            Logging = plan.Options.Logging.TensorBoardDirectory is { } log
                ? plan.Options.Logging with { TensorBoardDirectory = Path.Combine(log, plan.Slug) }
                : plan.Options.Logging,
        };
        return (options, context.Key("candidate", options));
    }

    private SelectionCandidate TrainCandidate(SweepContext context, SweepCandidatePlan plan, int index, int count, JointTrainerOptions options, string key, string? note)
    {
        var candidates = Path.Combine(context.Work, CandidatesFolder);
        var modelPath = Path.Combine(candidates, plan.Slug + context.Trainer.ModelSuffix);
        var recordPath = Path.Combine(candidates, plan.Slug + ".json");
        var checkpoints = Path.Combine(context.Work, CheckpointsFolder, plan.Slug);

        // No record may outlive the model it describes: the stale one goes before anything is trained.
        File.Delete(recordPath);
        options = options with { Checkpoints = options.Checkpoints with { ResumeFrom = ResumePoint(checkpoints, key) } };
        var staging = Path.Combine(candidates, StagingFolder, plan.Slug + context.Trainer.ModelSuffix);
        Delete(staging);
        Directory.CreateDirectory(Path.GetDirectoryName(staging)!);

        context.Progress?.Report(new ParetoProgress(plan.Name, index, count, null, Reused: false) { Note = note });
        var run = new SweepCandidateRun { Candidate = plan, Options = options, Inputs = context.Inputs, ModelPath = staging };
        var summary = context.Trainer.Train(run, context.Forward(plan.Name, index, count), context.Cancellation)
            ?? throw new InvalidOperationException($"The candidate trainer returned no summary for '{plan.Name}'.");
        if (!Exists(staging))
            throw new InvalidOperationException($"The candidate trainer saved no model for '{plan.Name}' at '{staging}'.");
        Replace(staging, modelPath);

        var candidate = new SelectionCandidate
        {
            Name = plan.Name,
            Strategy = plan.Strategy,
            Lambda = plan.Lambda,
            Sequential = plan.Sequential,
            Epochs = plan.Epochs,
            Run = summary,
            ModelPath = modelPath,
        };
        AtomicFile.WriteAllText(recordPath, JsonSerializer.Serialize(new CandidateRecord(key, candidate), RecordJson));
        return candidate;
    }

    // Every benchmark on the candidate's saved model, each result taken from its cache file when the key
    // matches; the model is loaded only when some benchmark has to run.
    internal SelectionCandidate RunBenchmarks(SweepContext context, SweepCandidatePlan plan, int index, int count, ObjectivePair optimum, SelectionCandidate candidate)
    {
        if (Options.Benchmarks.Count == 0) return candidate;
        var candidateKey = CandidateOptions(context, plan, optimum).Key;
        var folder = Path.Combine(context.Work, BenchmarksFolder, plan.Slug);
        Directory.CreateDirectory(folder);
        var results = new Dictionary<string, BenchmarkResult>(StringComparer.Ordinal);
        SweepModel? loaded = null;
        try
        {
            foreach (var benchmark in Options.Benchmarks)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var file = Path.Combine(folder, benchmark.Name + ".json");
                var key = ContentHash.Combine("benchmark", candidateKey, benchmark.Name, benchmark.Identity);
                string? note = null;
                if (Options.Resume && Read<BenchmarkRecord>(file, r => r.Key is not null && r.Result?.Metrics is not null, out note) is { } saved && saved.Key == key)
                {
                    context.Progress?.Report(new ParetoProgress(plan.Name, index, count, null, Reused: true) { Benchmark = benchmark.Name });
                    results[benchmark.Name] = saved.Result;
                    continue;
                }
                context.Progress?.Report(new ParetoProgress(plan.Name, index, count, null, Reused: false) { Benchmark = benchmark.Name, Note = note });
                loaded ??= ((ISweepModelLoader)context.Trainer).Load(candidate.ModelPath!)
                    ?? throw new InvalidOperationException($"The model loader returned nothing for '{candidate.ModelPath}'.");
                var result = benchmark.Evaluate(loaded.Model, loaded.Tokenizer)
                    ?? throw new InvalidOperationException($"Benchmark '{benchmark.Name}' returned no result for '{plan.Name}'.");
                AtomicFile.WriteAllText(file, JsonSerializer.Serialize(new BenchmarkRecord(key, result), RecordJson));
                results[benchmark.Name] = result;
            }
        }
        finally
        {
            loaded?.Dispose();
        }
        return candidate with { Benchmarks = results };
    }

    // The latest checkpoint of a run with the same content key; checkpoints of another key are removed.
    private string? ResumePoint(string checkpoints, string key)
    {
        var keyFile = Path.Combine(checkpoints, CheckpointKeyFile);
        if (Options.Resume && File.Exists(keyFile) && File.ReadAllText(keyFile) == key)
            return CheckpointStore.List(checkpoints).LastOrDefault();
        Delete(checkpoints);
        Directory.CreateDirectory(checkpoints);
        AtomicFile.WriteAllText(keyFile, key);
        return null;
    }

    // A missing or unreadable record is no record: what it described is recomputed, and an unreadable
    // one is named in the progress report (the note) rather than failing the sweep, since records are
    // caches keyed by content.
    private static T? Read<T>(string path, Func<T, bool> complete, out string? note) where T : class
    {
        note = null;
        if (!File.Exists(path)) return null;
        try
        {
            var record = JsonSerializer.Deserialize<T>(File.ReadAllText(path), RecordJson);
            if (record is not null && complete(record)) return record;
            note = $"'{path}' holds no complete record; it is recomputed.";
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            note = $"'{path}' is unreadable ({e.Message}); it is recomputed.";
        }
        return null;
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static void Delete(string path)
    {
        if (File.Exists(path)) File.Delete(path);
        else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    // Moves the staged model over the old one; a folder is swapped in by renames, so the path never holds half a model.
    private static void Replace(string staging, string target)
    {
        if (File.Exists(staging))
        {
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            File.Move(staging, target, overwrite: true);
            return;
        }
        string? old = null;
        if (Directory.Exists(target))
        {
            old = target + ".replaced-" + Guid.NewGuid().ToString("N");
            Directory.Move(target, old);
        }
        else if (File.Exists(target))
        {
            File.Delete(target);
        }
        Directory.Move(staging, target);
        if (old is not null) Directory.Delete(old, recursive: true);
    }
}
