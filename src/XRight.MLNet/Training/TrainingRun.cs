using System.Diagnostics;
using TorchSharp;
using XRight.Modeling;
using XRight.Runtime;
using XRight.Training.Checkpoints;
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
    private readonly string? _checkpointDirectory;
    private readonly string _optionsFingerprint;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly CancellationToken _cancellation;
    private readonly List<TrajectoryPoint> _trajectory = [];
    private readonly AdamW _optimizer;
    private readonly LearningRateSchedule _schedule;
    private readonly IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Parameter)> _trainable;
    private ReferenceLogProbCache? _reference;
    private int _step, _resumedStep, _dpoSteps, _sftSteps;
    private double _lastSftLoss = double.NaN, _lastDpoLoss = double.NaN, _previousSeconds;
    private long _tokens;

    public TrainingRun(TrainingRunSetup setup)
    {
        _options = setup.Options;
        _model = setup.Model;
        _strategy = setup.Strategy;
        _sft = setup.Instructions.Count > 0 ? new BatchLoader<TokenizedInstruction>(setup.Instructions, _options.SftBatchSize,
            SeedDerivation.Derive(_options.Seed, setup.Phase + "/sft-loader"), _options.GroupByLength ? r => r.Length : null) : null;
        _dpo = setup.Preferences.Count > 0 ? new BatchLoader<TokenizedPreference>(setup.Preferences, _options.DpoBatchSize,
            SeedDerivation.Derive(_options.Seed, setup.Phase + "/dpo-loader"), _options.GroupByLength ? r => r.Length : null) : null;
        _sftEvaluation = setup.InstructionEvaluation;
        _dpoEvaluation = setup.PreferenceEvaluation;
        _reference = setup.Reference;
        _lateReference = setup.LateReference;
        _phase = setup.Phase;
        _evaluateDuringRun = setup.EvaluateDuringRun;
        _checkpointDirectory = setup.CheckpointDirectory;
        _optionsFingerprint = setup.OptionsFingerprint;
        _progress = setup.Progress;
        _cancellation = setup.Cancellation;
        _scoring = new PolicyScoring(_model, _options.DpoLoss, setup.PadTokenId);
        _trainable = _model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToArray();
        _optimizer = new AdamW(_trainable.Select(p => p.Parameter), _options.AdamBeta1, _options.AdamBeta2, _options.AdamEpsilon, _options.WeightDecay);
        _schedule = new LearningRateSchedule(_options.Schedule, _options.LearningRate, _options.WarmupSteps, _strategy.TotalSteps);
    }

    public string? ReferenceFingerprint => _reference?.Fingerprint;

    /// <summary>Runs to the end (or a stopping rule) and returns the trained model with its record.</summary>
    public JointTrainingResult Execute(string? resumeFrom)
    {
        using var _ = _optimizer;
        if (resumeFrom is not null) Resume(resumeFrom);
        MemoryMeter.ResetPeak();
        var clock = Stopwatch.StartNew();
        _model.train();
        var stop = TrainingStopReason.Completed;
        while (true)
        {
            if (_step >= _strategy.TotalSteps) break;
            if (_strategy.IsComplete(_step)) { stop = TrainingStopReason.StrategyFinished; break; }
            _cancellation.ThrowIfCancellationRequested();
            var stepped = Step();
            _step++;
            Report(clock, stepped);
            bool evaluate = _evaluateDuringRun && (_step == 1 || _step % _options.EvaluationInterval == 0);
            if (evaluate)
            {
                var point = Evaluate(clock, stepped);
                if (StopRule(point) is { } reason) { stop = reason; break; }
            }
            if (_checkpointDirectory is not null && _options.CheckpointInterval > 0 && _step % _options.CheckpointInterval == 0)
                SaveCheckpoint(clock);
        }
        if (_trajectory.Count == 0 || _trajectory[^1].Step != _step) Evaluate(clock, _trajectory.Count > 0 ? _trajectory[^1].Stepped : null);
        if (_checkpointDirectory is not null) SaveCheckpoint(clock);
        var final = HeldOut();
        return new JointTrainingResult(_model, _strategy.Name, _trajectory.ToArray(), final, _step, _dpoSteps, _sftSteps,
            _previousSeconds + clock.Elapsed.TotalSeconds, MemoryMeter.PeakResidentBytes(), stop,
            DpoOptimum, SftOptimum, _reference?.Fingerprint);
    }

    public double? DpoOptimum { get; init; }

    public double? SftOptimum { get; init; }

    // One optimizer step: ask the strategy, compute what it needs, backward over the micro-batches, clip, update.
    private ObjectiveKind? Step()
    {
        using var scope = NewDisposeScope();
        var need = _strategy.Need(_step);
        ObjectiveValues? values = null;
        Tensor? firstDpo = null, firstSft = null;
        if (need == EvaluationNeed.BothWithoutGraph)
        {
            using var noGrad = no_grad();
            values = new ObjectiveValues(Value(DpoLoss(RequireDpo().Peek(), countTokens: false), "DPO", "batch loss"),
                Value(SftLoss(RequireSft().Peek(), countTokens: false), "SFT", "batch loss"));
        }
        else if (need == EvaluationNeed.BothWithGraph)
        {
            firstDpo = DpoLoss(RequireDpo().Next());
            firstSft = SftLoss(RequireSft().Next());
            values = new ObjectiveValues(Value(firstDpo, "DPO", "batch loss"), Value(firstSft, "SFT", "batch loss"));
        }
        var decision = _strategy.Decide(_step, values);
        string objectiveName = decision.UsesDpo && decision.UsesSft ? "SFT+DPO" : decision.UsesDpo ? "DPO" : "SFT";

        double dpoTotal = 0, sftTotal = 0;
        int micro = _options.GradientAccumulationSteps;
        for (int m = 0; m < micro; m++)
        {
            using var microScope = NewDisposeScope();
            Tensor? dpo = null, sft = null;
            if (decision.UsesDpo) dpo = m == 0 && firstDpo is not null ? firstDpo : DpoLoss(RequireDpo().Next());
            if (decision.UsesSft) sft = m == 0 && firstSft is not null ? firstSft : SftLoss(RequireSft().Next());
            Tensor loss = (dpo, sft) switch
            {
                ({ } d, { } s) => d * decision.DpoWeight + s * decision.SftWeight,
                ({ } d, null) => d * decision.DpoWeight,
                (null, { } s) => s * decision.SftWeight,
                _ => throw new InvalidOperationException($"Strategy {_strategy.Name} decided a step with no objective."),
            };
            if (dpo is not null) dpoTotal += Value(dpo, "DPO", "batch loss");
            if (sft is not null) sftTotal += Value(sft, "SFT", "batch loss");
            (loss / micro).backward();
        }
        var norm = GradientClipping.ClipByGlobalNorm(_trainable.Select(p => p.Parameter), _options.MaxGradNorm);
        Value(norm, objectiveName, "gradient norm");
        _optimizer.Step(_schedule.At(_step));
        _optimizer.ZeroGrad();

        if (decision.UsesDpo) { _lastDpoLoss = dpoTotal / micro; _strategy.Observe(ObjectiveKind.Dpo, _lastDpoLoss); _dpoSteps++; }
        if (decision.UsesSft) { _lastSftLoss = sftTotal / micro; _strategy.Observe(ObjectiveKind.Sft, _lastSftLoss); _sftSteps++; }
        return decision.Single;
    }

    // Training tokens (padding excluded) count toward throughput; the no-graph evaluations do not.
    private Tensor DpoLoss(IReadOnlyList<TokenizedPreference> rows, bool countTokens = true)
    {
        if (countTokens) _tokens += rows.Sum(r => (long)r.Prompt.Length * 2 + r.Chosen.Length + r.Rejected.Length);
        return _scoring.DpoLossOf(rows, Reference()).Loss;
    }

    private Tensor SftLoss(IReadOnlyList<TokenizedInstruction> rows, bool countTokens = true)
    {
        if (countTokens) _tokens += rows.Sum(r => (long)r.Length);
        return _scoring.SftLossOf(rows);
    }

    private ReferenceLogProbCache Reference()
    {
        if (_reference is not null) return _reference;
        if (_lateReference is null) throw new InvalidOperationException("This run has no DPO reference.");
        return _reference = _lateReference(_model);
    }

    private BatchLoader<TokenizedPreference> RequireDpo() => _dpo ?? throw new InvalidOperationException($"Strategy {_strategy.Name} asked for a DPO batch, but there is no preference data.");

    private BatchLoader<TokenizedInstruction> RequireSft() => _sft ?? throw new InvalidOperationException($"Strategy {_strategy.Name} asked for an SFT batch, but there is no instruction data.");

    // Reads a scalar to the host: the only synchronisations of a step are these reads.
    private double Value(Tensor scalar, string objective, string quantity)
    {
        double value = scalar.to(ScalarType.Float64).item<double>();
        if (!double.IsFinite(value)) throw new TrainingDivergedException(_step + 1, objective, quantity, value);
        return value;
    }

    private TrajectoryPoint Evaluate(Stopwatch clock, ObjectiveKind? stepped)
    {
        var metrics = HeldOut();
        var point = new TrajectoryPoint(_step, metrics.FDpo, metrics.FSft, stepped, _previousSeconds + clock.Elapsed.TotalSeconds, MemoryMeter.PeakResidentBytes());
        _trajectory.Add(point);
        return point;
    }

    // Before an SFT-stage reference exists, f_DPO is undefined (NaN).
    private HeldOutMetrics HeldOut()
        => _scoring.Evaluate(_sftEvaluation, _reference is null ? [] : _dpoEvaluation, _reference, _options.EvaluationBatchSize);

    // The gap rule (the reference code's) ends joint runs only: a Sequential run reaches one objective's
    // optimum in its phase by design and must still run the other phase.
    private TrainingStopReason? StopRule(TrajectoryPoint point)
    {
        bool gapReached = (DpoOptimum is { } dpoStar && point.FDpo - dpoStar <= _options.StopGap)
                          || (SftOptimum is { } sftStar && point.FSft - sftStar <= _options.StopGap);
        if (gapReached && _strategy is not SequentialStrategy) return TrainingStopReason.GapReached;
        if (_options.StopWhenDominating is { } target && point.FDpo <= target.Dpo && point.FSft <= target.Sft)
            return TrainingStopReason.DominatesTarget;
        return null;
    }

    private void Report(Stopwatch clock, ObjectiveKind? stepped)
    {
        if (_progress is null) return;
        var elapsed = clock.Elapsed;
        double perStep = elapsed.TotalSeconds / Math.Max(1, _step - _resumedStep);
        _progress.Report(new TrainingProgress(_phase, _step, _strategy.TotalSteps, _sft?.Epoch ?? 0, _dpo?.Epoch ?? 0, stepped,
            _lastSftLoss, _lastDpoLoss, _tokens / Math.Max(1e-9, elapsed.TotalSeconds), elapsed,
            TimeSpan.FromSeconds(perStep * (_strategy.TotalSteps - _step))));
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
            LastSftLoss = _lastSftLoss,
            LastDpoLoss = _lastDpoLoss,
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
        };
        var trainable = _trainable.ToDictionary(p => p.Name, p => (Tensor)p.Parameter);
        CheckpointStore.Save(_checkpointDirectory!, state, trainable, _optimizer.StateTensors(), _reference, _options.KeepCheckpoints);
    }

    private void Resume(string folder)
    {
        var state = CheckpointStore.ReadState(folder);
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
        _strategy.LoadState(state.Strategy);
        if (state.SftLoader is { } sft) _sft?.LoadState(sft);
        if (state.DpoLoader is { } dpo) _dpo?.LoadState(dpo);
        using (var rng = torch.tensor(Convert.FromBase64String(state.TorchRandomState), ScalarType.Byte)) torch.set_rng_state(rng);
        _step = _resumedStep = state.Step;
        _dpoSteps = state.DpoSteps;
        _sftSteps = state.SftSteps;
        _lastDpoLoss = state.LastDpoLoss;
        _lastSftLoss = state.LastSftLoss;
        _previousSeconds = state.ElapsedSeconds;
        _trajectory.AddRange(state.Trajectory);
    }
}
