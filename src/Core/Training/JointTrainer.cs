using TorchSharp;
using XRight.Modeling;
using XRight.Modeling.Layers;
using XRight.Runtime;
using XRight.Training.Checkpoints;
using XRight.Training.Reference;
using XRight.Training.Strategies;

namespace XRight.Training;

/// <summary>
/// Trains a causal LM on instruction data (SFT) and preference data (DPO) jointly, with one of the
/// strategies of <see cref="JointStrategy"/>, or with a strategy of the caller's own. Usable without ML.NET:
/// token rows in, trained model out.
/// </summary>
/// <remarks>
/// Order of work: the options and data are checked before anything runs; the reference log-probs are
/// computed once (or read from the cache file); f* is estimated by single-objective runs of the same
/// budget when MAXRIGHT needs an unknown one (the best held-out value each reaches); then the main run, with held-out evaluations, stopping
/// rules and checkpoints.
/// </remarks>
public sealed class JointTrainer
{
    private readonly JointTrainerOptions _options;
    private readonly Func<StrategyContext, IJointStrategy>? _customStrategy;

    /// <summary>A trainer for the options' strategy, or for a strategy of the caller's own.</summary>
    /// <param name="options">Everything besides the model and the data.</param>
    /// <param name="customStrategy">
    /// Makes the strategy of the main run instead of <see cref="StrategyOptions.Kind"/> (called once per run,
    /// after the reference and f* are known); null for the built-in strategy. The step budget, batches, f*
    /// estimation (for the MAXRIGHT kinds) and evaluation still follow the options. Checkpoints record the
    /// strategy's <see cref="IJointStrategy.Name"/>, so a run resumes only with a strategy of the same name.
    /// </param>
    public JointTrainer(JointTrainerOptions options, Func<StrategyContext, IJointStrategy>? customStrategy = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _customStrategy = customStrategy;
    }

    /// <summary>
    /// Benchmarks to run on the policy at each held-out evaluation of the main run (after step 1, every
    /// <see cref="EvaluationOptions.Interval"/> steps, at the end), for instance MMLU or HellaSwag of
    /// <c>XRight.Evaluation</c> on a subset: the results go to the TensorBoard log
    /// (<c>benchmark/&lt;name&gt;/&lt;metric&gt;</c>) and to <see cref="TrainingEvaluation.Benchmarks"/>. They run
    /// without gradients, and the policy's training mode is restored afterwards; they must not change its
    /// weights. Null (the default) for none. The f* and reference runs do not run them.
    /// </summary>
    public Func<CausalLm, IEnumerable<Evaluation.BenchmarkResult>>? Benchmarks { get; init; }

    /// <summary>Runs the configured strategy.</summary>
    /// <param name="createModel">Makes the starting policy (called again for the reference and f* runs, so it must return a fresh model each time).</param>
    /// <param name="data">The token-level data.</param>
    /// <param name="progress">Receives a report after every step.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    public JointTrainingResult Train(Func<CausalLm> createModel, JointTrainingData data, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        var o = Prepare(data, out var split);
        var context = TorchContext.Create(o.Runtime);
        ReferenceLogProbCache? reference;
        int padId;
        CausalLm? probe;
        double? dpoStar, sftStar;
        // A run that reads or writes checkpoints knows its inputs (options, starting model, tokenizer, data)
        // and checks them against the checkpoints before any work: a checkpoint continues only its own run.
        RunIdentity? identity = null;
        CausalLm? first = null;
        if (o.Checkpoints.Directory is not null || o.Checkpoints.ResumeFrom is not null)
        {
            first = createModel();
            try
            {
                identity = RunIdentity.Of(OptionsFingerprint.Of(o), first, data);
                if (o.Checkpoints.ResumeFrom is { } from)
                    CheckpointStore.RequireSameRun(from, CheckpointStore.ReadState(from), OptionsFingerprint.Of(o), identity);
                if (o.Checkpoints.Directory is { } directory) CheckpointStore.RequireOwnDirectory(directory, identity);
            }
            catch
            {
                first.Dispose();
                throw;
            }
        }
        if (o.Checkpoints.ResumeFrom is { } checkpoint)
        {
            // Everything computed before step 0 (reference log-probs, f*) is in the checkpoint.
            var state = CheckpointStore.ReadState(checkpoint);
            probe = first ?? createModel();
            padId = PadIdOf(probe);
            reference = state.ReferenceFingerprint is { } fingerprint
                ? ReferenceLogProbCache.LoadOrEmpty(Path.Combine(checkpoint, CheckpointStore.ReferenceFile), fingerprint)
                : null;
            (dpoStar, sftStar) = (state.DpoOptimum, state.SftOptimum);
        }
        else
        {
            (reference, padId, probe) = PrepareReference(o, createModel, split, context, progress, cancellationToken, first);
            (dpoStar, sftStar) = Optimum(o, createModel, split, reference, padId, data.Decode, progress, cancellationToken);
        }
        IJointStrategy strategy;
        try
        {
            strategy = CreateStrategy(o, dpoStar, sftStar, split);
        }
        catch
        {
            probe?.Dispose();
            throw;
        }
        var model = Policy(createModel, o, probe);
        try
        {
            var run = new TrainingRun(new TrainingRunSetup
            {
                Options = o,
                Model = model,
                Strategy = strategy,
                Phase = "training",
                PadTokenId = padId,
                Instructions = split.Instructions,
                Preferences = split.Preferences,
                InstructionEvaluation = split.InstructionEvaluation,
                PreferenceEvaluation = split.PreferenceEvaluation,
                Reference = reference,
                LateReference = o.Strategy.UsesDpo && reference is null
                    ? policy => ReferenceBuilder.FromCurrentPolicy(policy, o, split.AllPreferences, padId)
                    : null,
                CheckpointDirectory = o.Checkpoints.Directory,
                Identity = identity,
                OptionsFingerprint = _customStrategy is null ? OptionsFingerprint.Of(o) : OptionsFingerprint.Of(o) + "\nStrategy.Custom=" + strategy.Name,
                Progress = progress,
                Cancellation = cancellationToken,
                LogName = "training",
                Decode = data.Decode,
                Benchmarks = Benchmarks,
            })
            {
                DpoOptimum = dpoStar,
                SftOptimum = sftStar,
                // An f* not given by the caller was estimated here (or in the resumed run's first part).
                DpoOptimumIsEstimate = o.Strategy.DpoOptimum is null || o.Strategy.DpoOptimumIsEstimate,
                SftOptimumIsEstimate = o.Strategy.SftOptimum is null || o.Strategy.SftOptimumIsEstimate,
            };
            return run.Execute(o.Checkpoints.ResumeFrom);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Estimates f*_DPO and f*_SFT by a DPO-only and an SFT-only run with the same number of steps as the
    /// configured strategy (the paper's approximation): each estimate is the best held-out value seen along
    /// its run, evaluated where a normal run is (after step 1, every <see cref="EvaluationOptions.Interval"/>
    /// steps and at the end), not its last value. These runs take their whole budget: no stop rule applies.
    /// </summary>
    public ObjectivePair EstimateOptimum(Func<CausalLm> createModel, JointTrainingData data,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => EstimateOptimumRuns(createModel, data, progress, cancellationToken).Optimum;

    /// <summary><see cref="EstimateOptimum"/> with the records of its two single-objective runs.</summary>
    internal (ObjectivePair Optimum, TrainingRunSummary Dpo, TrainingRunSummary Sft) EstimateOptimumRuns(Func<CausalLm> createModel, JointTrainingData data,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        var o = Prepare(data, out var split);
        var context = TorchContext.Create(o.Runtime);
        var (reference, padId, probe) = PrepareReference(o, createModel, split, context, progress, cancellationToken);
        probe?.Dispose();
        var reference0 = reference ?? ReferenceForSingleObjective(o, createModel, split, padId);
        var dpo = SingleObjective(o, createModel, split, reference0, padId, ObjectiveKind.Dpo, data.Decode, progress, cancellationToken);
        var sft = SingleObjective(o, createModel, split, reference0, padId, ObjectiveKind.Sft, data.Decode, progress, cancellationToken);
        return (new ObjectivePair(Best(dpo, ObjectiveKind.Dpo), Best(sft, ObjectiveKind.Sft)), dpo, sft);
    }

    /// <summary>
    /// Builds the DPO reference these options share between runs (its log-probabilities in
    /// <see cref="ReferenceOptions.CacheFile"/>, its model in <see cref="ReferenceOptions.ModelFolder"/>), as the first
    /// run with them would; false when there is none to share (the SFT-stage reference is each run's own).
    /// </summary>
    internal bool BuildSharedReference(Func<CausalLm> createModel, JointTrainingData data, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        var o = Prepare(data, out var split);
        if (o.Reference.Kind == ReferenceModelKind.SftStageModel) return false;
        var context = TorchContext.Create(o.Runtime);
        using (var probe = createModel())
            ReferenceBuilder.Build(o, createModel, split.Preferences, split.AllPreferences, PadIdOf(probe), context.Device, progress, cancellationToken);
        return true;
    }

    // The best held-out value of the run's objective over its evaluations (the final one included).
    private static double Best(TrainingRunSummary run, ObjectiveKind objective)
        => run.Trajectory.Select(p => objective == ObjectiveKind.Dpo ? p.FDpo : p.FSft)
              .Append(objective == ObjectiveKind.Dpo ? run.Final.FDpo : run.Final.FSft).Min();

    private JointTrainerOptions Prepare(JointTrainingData data, out DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(data);
        _options.Validate();
        // The seed in effect is part of the options from here on (and of a checkpoint's fingerprint).
        var o = _options with { Runtime = _options.Runtime with { Seed = _options.Runtime.EffectiveSeed } };
        split = DataSplit.From(data, o);
        return o;
    }

    private static (ReferenceLogProbCache? Reference, int PadId, CausalLm? Probe) PrepareReference(JointTrainerOptions o, Func<CausalLm> createModel,
        DataSplit split, TorchContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellation, CausalLm? made = null)
    {
        // A first model tells the padding id; it is reused as the policy when nothing else needs a fresh one.
        var probe = made ?? createModel();
        int padId = PadIdOf(probe);
        if (!o.Strategy.UsesDpo || o.Reference.Kind == ReferenceModelKind.SftStageModel) return (null, padId, probe);
        probe.Dispose();
        var reference = ReferenceBuilder.Build(o, createModel, split.Preferences, split.AllPreferences, padId, context.Device, progress, cancellation);
        return (reference, padId, null);
    }

    // Padding is never attended to nor scored; any id in the vocabulary works, the configured one is kept.
    private static int PadIdOf(CausalLm model)
        => model.Config.PadTokenId ?? (model.Config.EosTokenIds.Count > 0 ? model.Config.EosTokenIds[0] : 0);

    private static CausalLm Policy(Func<CausalLm> createModel, JointTrainerOptions o, CausalLm? probe)
    {
        var model = probe ?? createModel();
        AttachLora(model, o);
        return model;
    }

    /// <summary>
    /// Attaches the options' LoRA adapters unless the model has some. With mixed precision the frozen base goes
    /// to the half type first, so the adapters are made in float32 as on any half-precision base (and need no
    /// master copy).
    /// </summary>
    internal static void AttachLora(CausalLm model, JointTrainerOptions o)
    {
        if (o.Lora is null || model.Lora is not null) return;
        if (o.Runtime.MixedPrecision.ComputeType() is { } compute && model.Dtype != compute) model.to(compute);
        model.ApplyLora(o.Lora);
    }

    private (double? Dpo, double? Sft) Optimum(JointTrainerOptions o, Func<CausalLm> createModel, DataSplit split, ReferenceLogProbCache? reference,
        int padId, Func<IReadOnlyList<int>, string>? decode, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        double? dpo = o.Strategy.DpoOptimum, sft = o.Strategy.SftOptimum;
        bool needed = o.Strategy.Kind is JointStrategy.MaxRight or JointStrategy.MemoryEfficientMaxRight;
        if (!needed || (dpo is not null && sft is not null)) return (dpo, sft);
        if (!o.Strategy.EstimateMissingOptimum)
            throw new ArgumentException($"JointTrainerOptions: {o.Strategy.Kind} needs DpoOptimum and SftOptimum (f*), and EstimateMissingOptimum is off.");
        var reference0 = reference ?? ReferenceForSingleObjective(o, createModel, split, padId);
        dpo ??= Best(SingleObjective(o, createModel, split, reference0, padId, ObjectiveKind.Dpo, decode, progress, cancellation), ObjectiveKind.Dpo);
        sft ??= Best(SingleObjective(o, createModel, split, reference0, padId, ObjectiveKind.Sft, decode, progress, cancellation), ObjectiveKind.Sft);
        return (dpo, sft);
    }

    // With the SFT-stage reference, a DPO-only run has no SFT stage: its reference is the starting model.
    private static ReferenceLogProbCache ReferenceForSingleObjective(JointTrainerOptions o, Func<CausalLm> createModel, DataSplit split, int padId)
    {
        using var model = createModel();
        return ReferenceBuilder.FromCurrentPolicy(model, o, split.AllPreferences, padId);
    }

    private static TrainingRunSummary SingleObjective(JointTrainerOptions o, Func<CausalLm> createModel, DataSplit split, ReferenceLogProbCache reference, int padId,
        ObjectiveKind objective, Func<IReadOnlyList<int>, string>? decode, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        using var model = Policy(createModel, o, null);
        var run = new TrainingRun(new TrainingRunSetup
        {
            Options = o,
            Model = model,
            Strategy = new SequentialStrategy([new SequentialPhase(objective, TotalSteps(o, split))]),
            Phase = objective == ObjectiveKind.Dpo ? "optimum f*_DPO" : "optimum f*_SFT",
            PadTokenId = padId,
            Instructions = objective == ObjectiveKind.Sft ? split.Instructions : [],
            Preferences = objective == ObjectiveKind.Dpo ? split.Preferences : [],
            InstructionEvaluation = objective == ObjectiveKind.Sft ? split.InstructionEvaluation : [],
            PreferenceEvaluation = objective == ObjectiveKind.Dpo ? split.PreferenceEvaluation : [],
            Reference = reference,
            ApplyStopRules = false,
            Progress = progress,
            Cancellation = cancellation,
            LogName = objective == ObjectiveKind.Dpo ? "optimum-dpo" : "optimum-sft",
            Decode = decode,
        });
        return run.Execute(resumeFrom: null).Summary;
    }

    /// <summary>Optimizer steps of the configured strategy, cut at <see cref="StrategyOptions.MaxSteps"/>.</summary>
    private static int TotalSteps(JointTrainerOptions o, DataSplit split) => Budget(o, split).Total(o.Strategy);

    private static StepBudget Budget(JointTrainerOptions o, DataSplit split) => StepBudget.Of(o.Batches, split.Instructions.Count, split.Preferences.Count);

    private IJointStrategy CreateStrategy(JointTrainerOptions o, double? dpoStar, double? sftStar, DataSplit split)
    {
        int total = TotalSteps(o, split);
        if (_customStrategy is { } custom)
        {
            var budget = Budget(o, split);
            var context = new StrategyContext
            {
                Options = o,
                TotalSteps = total,
                SftStepsPerEpoch = budget.SftStepsPerEpoch,
                DpoStepsPerEpoch = budget.DpoStepsPerEpoch,
                Optimum = dpoStar is { } d && sftStar is { } s ? new ObjectivePair(d, s) : null,
                Seed = SeedDerivation.Derive(o.Runtime.EffectiveSeed, "custom-strategy"),
            };
            var made = custom(context) ?? throw new InvalidOperationException("The custom strategy factory returned null.");
            if (made.TotalSteps < 1)
                throw new InvalidOperationException($"The custom strategy {made.Name} has {made.TotalSteps} total steps; expected at least 1.");
            return made;
        }
        var optimum = new ObjectivePair(dpoStar ?? 0, sftStar ?? 0);
        return o.Strategy.Kind switch
        {
            JointStrategy.Sequential => new SequentialStrategy(SequentialPhases(o, split, total)),
            JointStrategy.Mix => new MixStrategy(o.Strategy.Lambda, total),
            JointStrategy.AlRight => new AlrightStrategy(o.Strategy.Lambda, total, SeedDerivation.Derive(o.Runtime.EffectiveSeed, "alright")),
            JointStrategy.MaxRight => new MaxRightStrategy(o.Strategy.Lambda, total, optimum),
            JointStrategy.MemoryEfficientMaxRight => new MemoryEfficientMaxRightStrategy(o.Strategy.Lambda, total, optimum, o.Strategy.MaxRightEvaluationInterval),
            _ => throw new ArgumentOutOfRangeException(nameof(o), o.Strategy.Kind, "Unknown strategy."),
        };
    }

    private static SequentialPhase[] SequentialPhases(JointTrainerOptions o, DataSplit split, int total)
    {
        var budget = Budget(o, split);
        var dpo = new SequentialPhase(ObjectiveKind.Dpo, budget.Dpo(o.Strategy.SequentialDpoEpochs));
        var sft = new SequentialPhase(ObjectiveKind.Sft, budget.Sft(o.Strategy.SequentialSftEpochs));
        var ordered = o.Strategy.SequentialOrder == SequentialOrder.DpoThenSft ? new[] { dpo, sft } : [sft, dpo];
        // MaxSteps cuts the schedule: phases keep their order and the last one is shortened.
        var phases = new List<SequentialPhase>();
        int left = total;
        foreach (var phase in ordered.Where(p => p.Steps > 0))
        {
            if (left == 0) break;
            phases.Add(phase with { Steps = Math.Min(phase.Steps, left) });
            left -= phases[^1].Steps;
        }
        return [.. phases];
    }
}
