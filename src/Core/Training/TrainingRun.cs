using System.Diagnostics;
using TorchSharp;
using XRight.Modeling;
using XRight.Modeling.Layers;
using XRight.Objectives;
using XRight.Runtime;
using XRight.Training.Checkpoints;
using XRight.Training.Logging;
using XRight.Training.Optimization;
using XRight.Training.Reference;
using XRight.Training.Strategies;
using static TorchSharp.torch;

namespace XRight.Training;

/// <summary>
/// One optimisation run: a policy, its optimizer, the two loaders, a strategy and the held-out
/// evaluation. The same loop serves the main run, the single-objective runs that estimate f*, and the
/// SFT run that makes the reference model.
/// </summary>
internal sealed class TrainingRun
{
    private readonly JointTrainerOptions _options;
    private readonly CausalLm _model;
    private readonly PolicyScoring _scoring;
    private readonly IJointStrategy _strategy;
    private readonly BatchLoader<TokenizedInstruction>? _sft;
    private readonly BatchLoader<TokenizedPreference>? _dpo;
    private readonly IReadOnlyList<TokenizedInstruction> _sftEvaluation;
    private readonly IReadOnlyList<TokenizedPreference> _dpoEvaluation;
    private readonly Func<CausalLm, ReferenceLogProbCache>? _lateReference;
    private readonly string _phase;
    private readonly bool _evaluateDuringRun;
    private readonly bool _applyStopRules;
    private readonly string? _checkpointDirectory;
    private readonly string _optionsFingerprint;
    private readonly RunIdentity? _identity;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly CancellationToken _cancellation;
    private readonly List<TrajectoryPoint> _trajectory = [];
    private readonly AdamW _optimizer;
    private readonly DynamicLossScaler? _lossScaler;
    private readonly LearningRateSchedule _schedule;
    private readonly IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Parameter)> _trainable;
    private readonly string? _logFolder;
    private readonly Func<IReadOnlyList<int>, string>? _decode;
    private readonly int[][] _samplePrompts;
    private readonly Func<CausalLm, IEnumerable<Evaluation.BenchmarkResult>>? _benchmarks;
    private TensorBoardLog? _log;
    private ReferenceLogProbCache? _reference;
    private int _step, _resumedStep, _dpoSteps, _sftSteps;
    private SftMetrics? _lastSft;
    private DpoMetrics? _lastDpo;
    private double _lastGradientNorm = double.NaN, _lastLearningRate, _previousSeconds;
    private long _tokens;

    public TrainingRun(TrainingRunSetup setup)
    {
        _options = setup.Options;
        _model = setup.Model;
        _strategy = setup.Strategy;
        _sft = setup.Instructions.Count > 0 ? new BatchLoader<TokenizedInstruction>(setup.Instructions, _options.Batches.SftBatchSize,
            SeedDerivation.Derive(_options.Runtime.EffectiveSeed, setup.Phase + "/sft-loader"), _options.Batches.GroupByLength ? r => r.Length : null) : null;
        _dpo = setup.Preferences.Count > 0 ? new BatchLoader<TokenizedPreference>(setup.Preferences, _options.Batches.DpoBatchSize,
            SeedDerivation.Derive(_options.Runtime.EffectiveSeed, setup.Phase + "/dpo-loader"), _options.Batches.GroupByLength ? r => r.Length : null) : null;
        _sftEvaluation = setup.InstructionEvaluation;
        _dpoEvaluation = setup.PreferenceEvaluation;
        _reference = setup.Reference;
        _lateReference = setup.LateReference;
        _phase = setup.Phase;
        _evaluateDuringRun = setup.EvaluateDuringRun;
        _applyStopRules = setup.ApplyStopRules;
        _checkpointDirectory = setup.CheckpointDirectory;
        _optionsFingerprint = setup.OptionsFingerprint;
        _identity = setup.Identity;
        if (_checkpointDirectory is not null && _identity is null)
            throw new InvalidOperationException("A run that writes checkpoints needs its identity.");
        _progress = setup.Progress;
        _cancellation = setup.Cancellation;
        _scoring = new PolicyScoring(_model, _options.Dpo, setup.PadTokenId, _options.Batches.PackSft);
        var initialMasters = ToComputeDtype(_model, _options.Runtime.MixedPrecision);
        _trainable = _model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToArray();
        try
        {
            _optimizer = new AdamW(_trainable.Select(p => p.Parameter), _options.Optimizer.AdamBeta1, _options.Optimizer.AdamBeta2, _options.Optimizer.AdamEpsilon, _options.Optimizer.WeightDecay,
                masterWeights: _options.Runtime.MixedPrecision != MixedPrecision.None,
                initialMasters: initialMasters is null ? null : _trainable.Select(p => initialMasters.GetValueOrDefault(p.Name)).ToArray());
        }
        finally
        {
            foreach (var t in initialMasters?.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
        }
        if (_options.Runtime.MixedPrecision == MixedPrecision.Float16)
            _lossScaler = new DynamicLossScaler(_options.Runtime.InitialLossScale, _options.Runtime.LossScaleGrowthInterval);
        _schedule = new LearningRateSchedule(_options.Optimizer.Schedule, _options.Optimizer.LearningRate, _options.Optimizer.WarmupSteps, _strategy.TotalSteps);
        _logFolder = _options.Logging.TensorBoardDirectory is { } logRoot && setup.LogName is { } logName ? Path.Combine(logRoot, logName) : null;
        _decode = setup.Decode;
        _benchmarks = setup.Benchmarks;
        int samples = _options.Logging.CompletionSamples;
        _samplePrompts = _sftEvaluation.Count > 0 ? _sftEvaluation.Take(samples).Select(r => r.Prompt).ToArray()
            : _dpoEvaluation.Take(samples).Select(r => r.Prompt).ToArray();
        if (_samplePrompts.Length > 0 && _decode is null && _options.Logging.SampleGeneration.StopStrings.Count > 0)
            throw new ArgumentException("Logging.SampleGeneration.StopStrings needs a decoder: set JointTrainingData.Decode, or leave the stop strings empty.");
    }

    public string? ReferenceFingerprint => _reference?.Fingerprint;

    /// <summary>
    /// Converts the model to the compute type of <paramref name="precision"/> when it is in another type, and
    /// returns the trainable weights as they were before (float32), which become the optimizer's masters so
    /// that no precision is lost at the start. Null when nothing was converted.
    /// </summary>
    private static Dictionary<string, Tensor>? ToComputeDtype(CausalLm model, MixedPrecision precision)
    {
        if (precision.ComputeType() is not { } compute || model.Dtype == compute) return null;
        Dictionary<string, Tensor> masters = [];
        using (no_grad())
            foreach (var (name, p) in model.named_parameters().Where(p => p.parameter.requires_grad))
                masters[name] = p.detach().to(ScalarType.Float32, copy: true).DetachFromDisposeScope();
        model.to(compute);
        return masters;
    }

    /// <summary>Runs to the end (or a stopping rule) and returns the trained model with its record.</summary>
    public JointTrainingResult Execute(string? resumeFrom)
    {
        using var _ = _optimizer;
        if (resumeFrom is not null)
        {
            // A run killed while writing a checkpoint left its temporary folder beside the checkpoints.
            CheckpointStore.RemoveAbandoned(Path.GetDirectoryName(Path.GetFullPath(resumeFrom))!);
            Resume(resumeFrom);
        }
        // A fresh run replaces its folder's events; a resumed one drops those logged after its checkpoint (they come again).
        if (_logFolder is not null) _log = new TensorBoardLog(_logFolder, continueAfterStep: _step);
        MemoryMeter.ResetPeak();
        var clock = Stopwatch.StartNew();
        _model.train();
        bool checkpointingBefore = _model.GradientCheckpointing;
        _model.GradientCheckpointing = _options.Runtime.GradientCheckpointing;
        try
        {
            return Run(clock);
        }
        finally
        {
            _model.GradientCheckpointing = checkpointingBefore;
        }
    }

    private JointTrainingResult Run(Stopwatch clock)
    {
        var stop = TrainingStopReason.Completed;
        while (true)
        {
            if (_step >= _strategy.TotalSteps) break;
            if (_strategy.IsComplete(_step)) { stop = TrainingStopReason.StrategyFinished; break; }
            _cancellation.ThrowIfCancellationRequested();
            var stepped = Step();
            _step++;
            Report(clock, stepped);
            bool evaluate = _evaluateDuringRun && (_step == 1 || _step % _options.Evaluation.Interval == 0);
            if (evaluate)
            {
                var point = Evaluate(clock, stepped);
                if (_applyStopRules && StopRule(point) is { } reason) { stop = reason; break; }
            }
            if (_checkpointDirectory is not null && _options.Checkpoints.Interval > 0 && _step % _options.Checkpoints.Interval == 0)
                SaveCheckpoint(clock);
        }
        if (_trajectory.Count == 0 || _trajectory[^1].Step != _step) Evaluate(clock, _trajectory.Count > 0 ? _trajectory[^1].Stepped : null);
        if (_checkpointDirectory is not null)
        {
            SaveCheckpoint(clock);
            CheckpointStore.RemoveAbandoned(_checkpointDirectory);
        }
        var final = HeldOut();
        return new JointTrainingResult(_model, new TrainingRunSummary
        {
            Strategy = _strategy.Name,
            Steps = _step,
            DpoSteps = _dpoSteps,
            SftSteps = _sftSteps,
            RuntimeSeconds = _previousSeconds + clock.Elapsed.TotalSeconds,
            PeakMemoryBytes = MemoryMeter.PeakResidentBytes(),
            StopReason = stop,
            Final = final,
            DpoOptimum = DpoOptimum,
            SftOptimum = SftOptimum,
            ReferenceFingerprint = _reference?.Fingerprint,
            Trajectory = _trajectory.ToArray(),
        });
    }

    public double? DpoOptimum { get; init; }

    public double? SftOptimum { get; init; }

    /// <summary>True when <see cref="DpoOptimum"/> is an estimate, which the run's evaluations may contradict.</summary>
    public bool DpoOptimumIsEstimate { get; init; }

    /// <summary>True when <see cref="SftOptimum"/> is an estimate.</summary>
    public bool SftOptimumIsEstimate { get; init; }

    // One optimizer step: ask the strategy, compute what it needs, backward over the micro-batches, clip, update.
    private ObjectiveKind? Step()
    {
        using var scope = NewDisposeScope();
        var need = _strategy.Need(_step);
        ObjectivePair? values = null;
        // Scored batches (graph losses) the first micro-batch updates on, when the evaluation already made them.
        ScoredBatch? firstDpo = null, firstSft = null;
        if (need == EvaluationNeed.BothWithoutGraph)
        {
            values = EvaluateNextBatches(out firstDpo, out firstSft);
        }
        else if (need == EvaluationNeed.BothWithGraph)
        {
            firstDpo = ScoreDpo(TakeDpo());
            firstSft = ScoreSft(TakeSft());
            values = new ObjectivePair(Value(firstDpo.Loss, "DPO", "batch loss"), Value(firstSft.Loss, "SFT", "batch loss"));
        }
        var decision = _strategy.Decide(_step, values);
        string objectiveName = decision.UsesDpo && decision.UsesSft ? "SFT+DPO" : decision.UsesDpo ? "DPO" : "SFT";
        // A graph the update does not use is freed before the backward pass needs the memory.
        if (!decision.UsesDpo) Drop(ref firstDpo);
        if (!decision.UsesSft) Drop(ref firstSft);
        if (need == EvaluationNeed.BothWithoutGraph)
        {
            // The evaluated batch the update uses leaves its loader now (the other stays next in line).
            if (firstDpo is not null) TakeDpo();
            if (firstSft is not null) TakeSft();
        }

        int micro = _options.Batches.GradientAccumulationSteps;
        List<Tensor> dpoMetrics = [], sftMetrics = [];
        for (int m = 0; m < micro; m++)
        {
            using var microScope = NewDisposeScope();
            ScoredBatch? dpo = null, sft = null;
            if (decision.UsesDpo) dpo = m == 0 && firstDpo is not null ? firstDpo : ScoreDpo(TakeDpo());
            if (decision.UsesSft) sft = m == 0 && firstSft is not null ? firstSft : ScoreSft(TakeSft());
            Tensor loss = (dpo, sft) switch
            {
                ({ } d, { } s) => d.Loss * decision.DpoWeight + s.Loss * decision.SftWeight,
                ({ } d, null) => d.Loss * decision.DpoWeight,
                (null, { } s) => s.Loss * decision.SftWeight,
                _ => throw new InvalidOperationException($"Strategy {_strategy.Name} decided a step with no objective."),
            };
            // Float16: the loss is scaled up so that small gradients survive; the optimizer divides the scale out.
            (_lossScaler is null ? loss / micro : loss * (_lossScaler.Scale / micro)).backward();
            if (dpo is not null) dpoMetrics.Add(dpo.Metrics.detach().MoveToOuterDisposeScope());
            if (sft is not null) sftMetrics.Add(sft.Metrics.detach().MoveToOuterDisposeScope());
        }
        double inverseScale = _lossScaler is null ? 1.0 : 1.0 / _lossScaler.Scale;
        var norm = _optimizer.GradientNorm(inverseScale);
        var (dpoRead, sftRead, gradientNorm) = ReadStep(dpoMetrics, sftMetrics, norm, objectiveName);
        _lastLearningRate = _schedule.At(_step);
        if (_lossScaler is not null && DynamicLossScaler.Overflowed(gradientNorm))
        {
            // Overflowing float16 gradients: no update (the moments and the step count stay), a smaller scale.
            _lossScaler.Update(overflow: true);
        }
        else
        {
            _optimizer.Step(_lastLearningRate, norm, _options.Optimizer.MaxGradNorm, inverseScale);
            _lossScaler?.Update(overflow: false);
        }
        _optimizer.ZeroGrad();

        _lastGradientNorm = gradientNorm;
        if (dpoRead is not null) { _lastDpo = dpoRead; _strategy.Observe(ObjectiveKind.Dpo, dpoRead.Loss); _dpoSteps++; }
        if (sftRead is not null) { _lastSft = sftRead; _strategy.Observe(ObjectiveKind.Sft, sftRead.Loss); _sftSteps++; }
        return decision.Single;
    }

    /// <summary>
    /// Both objectives on the batches next in line, for a strategy that decides on fresh values without
    /// keeping two graphs. The objective the decision will likely pick is scored with its graph: when it is
    /// picked, that forward pass serves the update too, saving one of the two extra passes; otherwise it is
    /// freed, having cost what a pass without graph would have. The other is scored without a graph. The
    /// guess is the objective stepped on most so far (ties: the costlier batch), which a resumed run
    /// restores exactly, so resuming repeats the same passes.
    /// </summary>
    private ObjectivePair EvaluateNextBatches(out ScoredBatch? dpoWithGraph, out ScoredBatch? sftWithGraph)
    {
        var dpoRows = RequireDpo().Peek();
        var sftRows = RequireSft().Peek();
        bool graphOnDpo = _dpoSteps != _sftSteps ? _dpoSteps > _sftSteps : Tokens(dpoRows) >= Tokens(sftRows);
        ScoredBatch dpo, sft;
        if (graphOnDpo)
        {
            dpo = ScoreDpo(dpoRows);
            using (no_grad()) sft = ScoreSft(sftRows);
        }
        else
        {
            sft = ScoreSft(sftRows);
            using (no_grad()) dpo = ScoreDpo(dpoRows);
        }
        var values = new ObjectivePair(Value(dpo.Loss, "DPO", "batch loss"), Value(sft.Loss, "SFT", "batch loss"));
        dpoWithGraph = graphOnDpo ? dpo : null;
        sftWithGraph = graphOnDpo ? null : sft;
        return values;
    }

    private static void Drop(ref ScoredBatch? batch)
    {
        batch?.Dispose();
        batch = null;
    }

    /// <summary>
    /// The step's one read from the device: each objective's metrics averaged over the micro-batches (the
    /// strategy observes the losses, progress reports them all) and the gradient norm before clipping
    /// (which the divergence check needs), before the update is applied.
    /// </summary>
    private (DpoMetrics? Dpo, SftMetrics? Sft, double GradientNorm) ReadStep(List<Tensor> dpoMetrics, List<Tensor> sftMetrics, Tensor norm, string objectiveName)
    {
        var parts = new List<Tensor>();
        if (dpoMetrics.Count > 0) parts.Add(stack(dpoMetrics).mean([0]));
        if (sftMetrics.Count > 0) parts.Add(stack(sftMetrics).mean([0]));
        parts.Add(norm.to(ScalarType.Float64).reshape(1));
        var read = cat(parts, 0).cpu().data<double>().ToArray();
        DpoMetrics? dpo = null;
        SftMetrics? sft = null;
        int next = 0;
        if (dpoMetrics.Count > 0)
        {
            dpo = DpoMetrics.FromValues(read[next..]);
            Finite(dpo.Loss, "DPO", "batch loss");
            next += (int)dpoMetrics[0].shape[0];
        }
        if (sftMetrics.Count > 0)
        {
            sft = SftMetrics.FromValues(read[next..]);
            Finite(sft.Loss, "SFT", "batch loss");
            next += (int)sftMetrics[0].shape[0];
        }
        // With float16 loss scaling an overflowing gradient skips the step instead of ending the run.
        return (dpo, sft, _lossScaler is not null ? read[next] : Finite(read[next], objectiveName, "gradient norm"));
    }

    private ScoredBatch ScoreDpo(IReadOnlyList<TokenizedPreference> rows) => _scoring.ScoreDpo(rows, Reference());

    private ScoredBatch ScoreSft(IReadOnlyList<TokenizedInstruction> rows) => _scoring.ScoreSft(rows);

    // Training tokens (padding excluded) count toward throughput when a batch is taken for an update.
    private IReadOnlyList<TokenizedPreference> TakeDpo()
    {
        var rows = RequireDpo().Next();
        _tokens += Tokens(rows);
        return rows;
    }

    private IReadOnlyList<TokenizedInstruction> TakeSft()
    {
        var rows = RequireSft().Next();
        _tokens += Tokens(rows);
        return rows;
    }

    private static long Tokens(IReadOnlyList<TokenizedPreference> rows) => rows.Sum(r => (long)r.Prompt.Length * 2 + r.Chosen.Length + r.Rejected.Length);

    private static long Tokens(IReadOnlyList<TokenizedInstruction> rows) => rows.Sum(r => (long)r.Length);

    private ReferenceLogProbCache Reference()
    {
        if (_reference is not null) return _reference;
        if (_lateReference is null) throw new InvalidOperationException("This run has no DPO reference.");
        return _reference = _lateReference(_model);
    }

    private BatchLoader<TokenizedPreference> RequireDpo() => _dpo ?? throw new InvalidOperationException($"Strategy {_strategy.Name} asked for a DPO batch, but there is no preference data.");

    private BatchLoader<TokenizedInstruction> RequireSft() => _sft ?? throw new InvalidOperationException($"Strategy {_strategy.Name} asked for an SFT batch, but there is no instruction data.");

    // Reads a value a decision needs to the host (a synchronisation, so only where the strategy asks for values).
    private double Value(Tensor scalar, string objective, string quantity) => Finite(scalar.to(ScalarType.Float64).item<double>(), objective, quantity);

    private double Finite(double value, string objective, string quantity) =>
        double.IsFinite(value) ? value : throw new TrainingDivergedException(_step + 1, objective, quantity, value);

    private TrajectoryPoint Evaluate(Stopwatch clock, ObjectiveKind? stepped)
    {
        var metrics = HeldOut();
        var point = new TrajectoryPoint(_step, metrics.FDpo, metrics.FSft, stepped, _previousSeconds + clock.Elapsed.TotalSeconds, MemoryMeter.PeakResidentBytes());
        _trajectory.Add(point);
        var samples = Samples();
        var benchmarks = Benchmarks();
        _log?.AddScalars("eval/", EvaluationScalars(metrics), _step);
        foreach (var sample in samples) _log?.AddText($"samples/{sample.Index}", sample.ToMarkdown(), _step);
        foreach (var result in benchmarks) _log?.AddBenchmark(result, _step);
        if (_progress is IProgress<TrainingEvaluation> evaluations)
            evaluations.Report(new TrainingEvaluation(_phase, _step, metrics, samples) { Benchmarks = benchmarks });
        return point;
    }

    /// <summary>The held-out values as logged: the objectives, their gaps to a known f*, and TRL's metrics, for the objectives that have rows.</summary>
    internal IReadOnlyDictionary<string, double> EvaluationScalars(HeldOutMetrics m)
    {
        var values = new Dictionary<string, double>();
        if (m.InstructionRows > 0)
        {
            values["f_sft"] = m.FSft;
            if (SftOptimum is { } sftStar) values["gap_sft"] = m.FSft - sftStar;
            values["sft/mean_token_accuracy"] = m.SftTokenAccuracy;
        }
        if (m.PreferenceRows > 0)
        {
            values["f_dpo"] = m.FDpo;
            if (DpoOptimum is { } dpoStar) values["gap_dpo"] = m.FDpo - dpoStar;
            values["dpo/rewards/accuracies"] = m.RewardAccuracy;
            values["dpo/rewards/margins"] = m.RewardMargin;
            values["dpo/rewards/chosen"] = m.ChosenReward;
            values["dpo/rewards/rejected"] = m.RejectedReward;
        }
        return values;
    }

    // Completions of the first held-out prompts by the policy as it is now; generation leaves the weights,
    // the mode and torch's generators as they were.
    private IReadOnlyList<CompletionSample> Samples()
    {
        if (_samplePrompts.Length == 0) return [];
        var generated = _model.Generate(_samplePrompts, _options.Logging.SampleGeneration, _decode);
        return generated.Select((g, i) => new CompletionSample(i, _samplePrompts[i], g.TokenIds, Text(_samplePrompts[i]), Text(g.TokenIds), g.StopReason)).ToArray();
    }

    // The caller's benchmarks on the policy as it is now; the training mode is restored afterwards.
    private IReadOnlyList<Evaluation.BenchmarkResult> Benchmarks()
    {
        if (_benchmarks is null) return [];
        bool wasTraining = _model.training;
        try
        {
            using (no_grad())
                return _benchmarks(_model)?.ToArray() ?? throw new InvalidOperationException("JointTrainer.Benchmarks returned null; return an empty sequence for no results.");
        }
        finally
        {
            if (wasTraining) _model.train();
        }
    }

    private string Text(int[] ids) => _decode is { } decode ? decode(ids) : "[" + string.Join(' ', ids) + "]";

    // Before an SFT-stage reference exists, f_DPO is undefined (NaN).
    private HeldOutMetrics HeldOut()
        => _scoring.Evaluate(_sftEvaluation, _reference is null ? [] : _dpoEvaluation, _reference, _options.Evaluation.BatchSize);

    // The gap rule (the reference code's) ends joint runs only: a Sequential run reaches one objective's
    // optimum in its phase by design and must still run the other phase.
    private TrainingStopReason? StopRule(TrajectoryPoint point)
    {
        if (_options.Evaluation.StopGap is { } stopGap && _strategy is not SequentialStrategy
            && (GapReached(point.FDpo, DpoOptimum, DpoOptimumIsEstimate, p => p.FDpo, stopGap)
                || GapReached(point.FSft, SftOptimum, SftOptimumIsEstimate, p => p.FSft, stopGap)))
            return TrainingStopReason.GapReached;
        if (_options.Evaluation.StopWhenDominating is { } target && point.FDpo <= target.Dpo && point.FSft <= target.Sft)
            return TrainingStopReason.DominatesTarget;
        return null;
    }

    // A given f* stops at f − f* ≤ gap. An estimate stops only within ±gap of it, and never once an evaluation
    // of this run (the trajectory, restored on resume, includes the current one) has beaten it by more than the gap.
    private bool GapReached(double value, double? optimum, bool isEstimate, Func<TrajectoryPoint, double> objective, double stopGap)
    {
        if (optimum is not { } star) return false;
        if (!isEstimate) return value - star <= stopGap;
        return Math.Abs(value - star) <= stopGap && !_trajectory.Any(p => objective(p) < star - stopGap);
    }

    private void Report(Stopwatch clock, ObjectiveKind? stepped)
    {
        if (_progress is null && _log is null) return;
        var elapsed = clock.Elapsed;
        double perStep = elapsed.TotalSeconds / Math.Max(1, _step - _resumedStep);
        var report = new TrainingProgress(_phase, _step, _strategy.TotalSteps, _sft?.Epoch ?? 0, _dpo?.Epoch ?? 0, stepped,
            _lastSft?.Loss ?? double.NaN, _lastDpo?.Loss ?? double.NaN, _tokens / Math.Max(1e-9, elapsed.TotalSeconds), elapsed,
            TimeSpan.FromSeconds(perStep * (_strategy.TotalSteps - _step)))
        {
            Sft = _lastSft,
            Dpo = _lastDpo,
            GradientNorm = _lastGradientNorm,
            LearningRate = _lastLearningRate,
            LossScale = _lossScaler?.Scale,
            SkippedSteps = _lossScaler?.SkippedSteps ?? 0,
        };
        if (_log is not null) _log.AddScalars("train/", StepScalars(report), _step);
        _progress?.Report(report);
    }

    /// <summary>
    /// What a step logs: the metrics of the objective(s) it updated (not the older values of the other),
    /// which objective that was (<c>stepped_sft</c>, <c>stepped_dpo</c>: 1 or 0), the gradient norm before
    /// clipping, the learning rate and the throughput.
    /// </summary>
    internal static IReadOnlyDictionary<string, double> StepScalars(TrainingProgress report)
    {
        bool sft = report.Stepped is null or ObjectiveKind.Sft, dpo = report.Stepped is null or ObjectiveKind.Dpo;
        var values = new Dictionary<string, double>();
        if (sft && report.Sft is { } s) foreach (var (key, value) in s.ToDictionary()) values["sft/" + key] = value;
        if (dpo && report.Dpo is { } d) foreach (var (key, value) in d.ToDictionary()) values["dpo/" + key] = value;
        values["stepped_sft"] = sft ? 1 : 0;
        values["stepped_dpo"] = dpo ? 1 : 0;
        values["grad_norm"] = report.GradientNorm;
        values["learning_rate"] = report.LearningRate;
        values["tokens_per_second"] = report.TokensPerSecond;
        return values;
    }

    private void SaveCheckpoint(Stopwatch clock)
    {
        using var scope = NewDisposeScope();
        var state = new CheckpointState
        {
            Step = _step,
            OptimizerSteps = _optimizer.StepCount,
            DpoSteps = _dpoSteps,
            SftSteps = _sftSteps,
            ElapsedSeconds = _previousSeconds + clock.Elapsed.TotalSeconds,
            LastSft = _lastSft,
            LastDpo = _lastDpo,
            Strategy = _strategy.SaveState(),
            SftLoader = _sft?.SaveState(),
            DpoLoader = _dpo?.SaveState(),
            TorchRandomState = Convert.ToBase64String(torch.get_rng_state().bytes),
            TrainableNames = _trainable.Select(p => p.Name).ToArray(),
            Trajectory = _trajectory.ToArray(),
            DpoOptimum = DpoOptimum,
            SftOptimum = SftOptimum,
            OptionsFingerprint = _optionsFingerprint,
            ReferenceFingerprint = _reference?.Fingerprint,
            Identity = _identity!,
            LossScale = _lossScaler?.Scale,
            LossScaleGoodSteps = _lossScaler?.GoodSteps,
            SkippedSteps = _lossScaler?.SkippedSteps,
        };
        var trainable = _trainable.ToDictionary(p => p.Name, p => (Tensor)p.Parameter);
        CheckpointStore.Save(_checkpointDirectory!, state, trainable, _optimizer.StateTensors(), _reference, _options.Checkpoints.Keep);
    }

    private void Resume(string folder)
    {
        var state = CheckpointStore.ReadState(folder);
        // The model, tokenizer and data were checked when the run started (JointTrainer); the options are checked
        // here in full, a user strategy's name included.
        if (state.OptionsFingerprint != _optionsFingerprint)
            throw new InvalidOperationException($"Checkpoint '{folder}' was written with different training options:\n{OptionsFingerprint.Differences(state.OptionsFingerprint, _optionsFingerprint)}");
        var names = _trainable.Select(p => p.Name).ToArray();
        if (!names.SequenceEqual(state.TrainableNames))
            throw new InvalidOperationException($"Checkpoint '{folder}' trains other parameters than this model ({state.TrainableNames.Length} vs {names.Length}); was LoRA configured differently?");
        var weights = Modeling.SafeTensors.SafeTensorsFile.Load(Path.Combine(folder, CheckpointStore.TrainableFile));
        var moments = Modeling.SafeTensors.SafeTensorsFile.Load(Path.Combine(folder, CheckpointStore.OptimizerFile));
        try
        {
            using (no_grad())
                foreach (var (name, parameter) in _trainable) parameter.copy_(weights[name]);
            _optimizer.LoadState(moments, state.OptimizerSteps);
        }
        finally
        {
            foreach (var t in weights.Values.Concat(moments.Values)) t.Dispose();
        }
        if (state.ReferenceFingerprint is { } fingerprint && (_reference is null || _reference.Fingerprint != fingerprint || _reference.Count == 0))
            throw new InvalidDataException($"Checkpoint '{folder}' lacks the reference log-probs of its DPO reference {fingerprint}.");
        if (_lossScaler is not null)
        {
            if (state.LossScale is not { } scale)
                throw new InvalidDataException($"Checkpoint '{folder}' has no float16 loss scale (LossScale in {CheckpointStore.StateFile}); it was not written by a Float16 mixed-precision run.");
            _lossScaler.Restore(scale, state.LossScaleGoodSteps ?? 0, state.SkippedSteps ?? 0);
        }
        _strategy.LoadState(state.Strategy);
        if (state.SftLoader is { } sft) _sft?.LoadState(sft);
        if (state.DpoLoader is { } dpo) _dpo?.LoadState(dpo);
        using (var rng = torch.tensor(Convert.FromBase64String(state.TorchRandomState), ScalarType.Byte)) torch.set_rng_state(rng);
        _step = _resumedStep = state.Step;
        _dpoSteps = state.DpoSteps;
        _sftSteps = state.SftSteps;
        _lastDpo = state.LastDpo;
        _lastSft = state.LastSft;
        _previousSeconds = state.ElapsedSeconds;
        _trajectory.AddRange(state.Trajectory);
    }
}
