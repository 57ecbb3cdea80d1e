using System.Diagnostics;
using TorchSharp;
using XRight.Modeling;
using XRight.Modeling.Lora;
using XRight.Objectives;
using XRight.Runtime;
using XRight.Training;
using XRight.Training.Optimization;
using XRight.Training.Reference;
using XRight.Training.Strategies;
using static TorchSharp.torch;

namespace XRight.Benchmarks;

/// <summary>Runs one <see cref="CaseSpec"/> in this process.</summary>
internal static class CaseRunner
{
    private const double LearningRate = 1e-4;

    public static CaseResult Run(CaseSpec spec)
    {
        TorchContext.Create(new RuntimeOptions { Device = "cpu", Threads = spec.Threads, Seed = 1 });
        return spec.Kind switch
        {
            CaseKind.Step => Step(spec),
            CaseKind.ReferenceDpo => ReferenceDpo(spec),
            CaseKind.Strategy => Strategy(spec),
            CaseKind.StrategyRounds => StrategyRounds(spec),
            CaseKind.Growth => Growth(spec),
            CaseKind.Optimizer => Optimizer(spec),
            CaseKind.AlRight => AlRight(spec),
            CaseKind.Packing => Packing(spec),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Unknown case kind."),
        };
    }

    private static CausalLm CreateModel(CaseSpec spec, bool lora = false)
    {
        var dtype = spec.Precision switch { MixedPrecision.BFloat16 => ModelDtype.BFloat16, MixedPrecision.Float16 => ModelDtype.Float16, _ => ModelDtype.Float32 };
        var model = CausalLm.Create(spec.Shape.Config(Math.Max(256, spec.Length)), new ModelOptions { Seed = 1, Dtype = dtype });
        if (lora) model.ApplyLora(PaperLora);
        return model;
    }

    // The paper's Pythia setting: r = α = 32 on the attention's input projection(s).
    public static LoraOptions PaperLora => new() { Rank = 32, Alpha = 32 };

    /// <summary>The options every case trains with; the memory planner is asked about the same ones.</summary>
    public static JointTrainerOptions Options(int sftBatch, int dpoBatch, bool checkpointing = false, MixedPrecision precision = MixedPrecision.None) => new()
    {
        Optimizer = new() { LearningRate = LearningRate },
        Batches = new() { SftBatchSize = sftBatch, DpoBatchSize = dpoBatch },
        Evaluation = new() { BatchSize = Math.Max(sftBatch, dpoBatch) },
        Runtime = new() { Device = "cpu", GradientCheckpointing = checkpointing, MixedPrecision = precision },
    };

    // Steps of one objective through the trainer's own step loop.
    private static CaseResult Step(CaseSpec spec)
    {
        GC.Collect();
        long beforeModel = MemoryMeter.ResidentBytes();
        using var model = CreateModel(spec, spec.Lora);
        long weightResident = MemoryMeter.ResidentBytes() - beforeModel;
        var options = Options(spec.Batch, spec.Batch, spec.Checkpointing, spec.Precision);
        bool dpo = spec.Objective == ObjectiveKind.Dpo;
        var instructions = dpo ? [] : SyntheticRows.Instructions(spec.Batch, spec.Length, spec.Shape.Vocab, seed: 7, spec.MixedLengths);
        var preferences = dpo ? SyntheticRows.Preferences(spec.Batch, spec.Length, spec.Shape.Vocab, seed: 7, spec.MixedLengths) : [];
        var reference = dpo ? FillReference(model, options, preferences) : null;

        var clock = new StepClock();
        var run = BenchmarkRun(options, model, new TimedObjective(spec.Objective, clock, spec.MinSteps, spec.MaxSteps, spec.MinSeconds),
            instructions, preferences, reference, clock);
        long start = MemoryMeter.ResidentBytes();
        var result = run.Execute(resumeFrom: null);
        int copies = dpo ? 2 : 1; // chosen and rejected
        return TimedResult(spec, model, clock) with
        {
            TokensPerStep = copies * SyntheticRows.RowLengths(spec.Batch, spec.Length, spec.MixedLengths).Sum(),
            FlopsPerStep = spec.Lora ? 0 : copies * RowFlops(spec),
            PeakResidentBytes = result.Summary.PeakMemoryBytes,
            StartResidentBytes = start,
            WeightBytes = model.parameters().Sum(p => p.NumberOfElements * p.ElementSize),
            WeightResidentBytes = weightResident,
        };
    }

    // The reference is the initial policy, as with ReferenceModelKind.InitialModel.
    private static ReferenceLogProbCache FillReference(CausalLm model, JointTrainerOptions options, IReadOnlyList<TokenizedPreference> rows)
    {
        var cache = new ReferenceLogProbCache("benchmark");
        new PolicyScoring(model, options.Dpo, SyntheticRows.Eos).FillReferenceCache(cache, rows, options.Evaluation.BatchSize);
        return cache;
    }

    /// <summary>
    /// The same DPO step twice over: with the reference log-probs read from the cache, or computed by a
    /// forward pass of a frozen reference model (no graph) on the same batch, as trainers without a cache do.
    /// </summary>
    private static CaseResult ReferenceDpo(CaseSpec spec)
    {
        using var policy = CreateModel(spec);
        using var referenceModel = spec.LiveReference ? CreateModel(spec) : null;
        var options = Options(spec.Batch, spec.Batch);
        var rows = SyntheticRows.Preferences(spec.Batch, spec.Length, spec.Shape.Vocab, seed: 7);
        var scoring = new PolicyScoring(policy, options.Dpo, SyntheticRows.Eos);
        ReferenceLogProbCache? cache = null;
        if (referenceModel is not null)
        {
            referenceModel.eval();
            foreach (var p in referenceModel.parameters()) p.requires_grad = false;
        }
        else
        {
            cache = FillReference(policy, options, rows);
        }
        var referenceScoring = referenceModel is null ? null : new PolicyScoring(referenceModel, options.Dpo, SyntheticRows.Eos);

        var trainable = policy.TrainableParameters();
        using var optimizer = new AdamW(trainable, options.Optimizer.AdamBeta1, options.Optimizer.AdamBeta2, options.Optimizer.AdamEpsilon, options.Optimizer.WeightDecay);
        policy.train();
        long start = MemoryMeter.ResidentBytes();
        MemoryMeter.ResetPeak();
        var clock = new StepClock();
        for (int step = 0; step < spec.MaxSteps && !TimedObjective.Enough(clock, spec.MinSteps, spec.MinSeconds); step++)
        {
            clock.StartStep();
            var watch = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                Tensor referenceChosen, referenceRejected;
                if (referenceScoring is not null)
                {
                    using var noGrad = no_grad();
                    (referenceChosen, referenceRejected) = referenceScoring.PairLogProbs(rows);
                }
                else
                {
                    var values = rows.Select(cache!.Get).ToArray();
                    referenceChosen = tensor(values.Select(v => (float)v.Chosen).ToArray());
                    referenceRejected = tensor(values.Select(v => (float)v.Rejected).ToArray());
                }
                var (chosen, rejected) = scoring.PairLogProbs(rows);
                var loss = DpoLoss.Compute(chosen, rejected, referenceChosen, referenceRejected, options.Dpo).Loss;
                loss.backward();
                var norm = GradientClipping.ClipByGlobalNorm(trainable, options.Optimizer.MaxGradNorm);
                var read = stack([loss.detach(), norm]).data<float>().ToArray(); // the loop's one host read, as the trainer logs it
                if (!read.All(float.IsFinite)) throw new InvalidOperationException($"{spec.Label}: non-finite loss or gradient norm.");
                optimizer.Step(LearningRate);
                optimizer.ZeroGrad();
            }
            clock.Record(watch.Elapsed.TotalSeconds);
        }
        return TimedResult(spec, policy, clock) with
        {
            TokensPerStep = 2L * spec.Batch * spec.Length,
            FlopsPerStep = 2 * spec.Batch * spec.Shape.TrainingFlops(spec.Length, SyntheticRows.ScoredTokens(spec.Length)),
            PeakResidentBytes = MemoryMeter.PeakResidentBytes(),
            StartResidentBytes = start,
        };
    }

    /// <summary>
    /// A joint run through the public trainer. Data sizes make every strategy take <see cref="CaseSpec.Steps"/>
    /// steps: Sequential does one DPO epoch then one SFT epoch of Steps/2 batches each; the joint strategies do
    /// two epochs of the Steps/2 SFT batches. Rows all have the same length and an SFT batch holds as many
    /// sequences as a DPO batch (chosen + rejected), so a DPO step and an SFT step cost about the same and the
    /// ratios measure the strategies, not the mix of objectives.
    /// </summary>
    private static CaseResult Strategy(CaseSpec spec)
    {
        var clock = new StepClock();
        var result = RunStrategy(spec, clock);
        using var model = result.Model;
        return new CaseResult
        {
            Label = spec.Label,
            Parameters = CountParameters(model, trainableOnly: false),
            TrainableParameters = CountParameters(model, trainableOnly: true),
            RunSeconds = result.Summary.RuntimeSeconds,
            MeasuredSteps = clock.Measured.Count,
            CpuShare = RunShare(clock),
            PeakResidentBytes = result.Summary.PeakMemoryBytes,
            DpoSteps = result.Summary.DpoSteps,
            SftSteps = result.Summary.SftSteps,
        };
    }

    /// <summary>
    /// Every strategy once per round, the order rotated from round to round, so that each strategy's run can be
    /// compared with the Sequential run of the same round: slow drifts of a shared machine then cancel out.
    /// </summary>
    private static CaseResult StrategyRounds(CaseSpec spec)
    {
        var times = AllStrategies.ToDictionary(s => s.ToString(), _ => new List<double>());
        for (int round = 0; round < spec.Rounds; round++)
            for (int i = 0; i < AllStrategies.Length; i++)
            {
                var strategy = AllStrategies[(i + round) % AllStrategies.Length];
                var result = RunStrategy(spec with { Strategy = strategy }, new StepClock());
                result.Model.Dispose();
                times[strategy.ToString()].Add(result.Summary.RuntimeSeconds);
            }
        return new CaseResult { Label = spec.Label, RoundSeconds = times.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()) };
    }

    public static readonly JointStrategy[] AllStrategies =
        [JointStrategy.Sequential, JointStrategy.Mix, JointStrategy.AlRight, JointStrategy.MaxRight, JointStrategy.MemoryEfficientMaxRight];

    /// <summary>
    /// A joint run through the public trainer. Data sizes make every strategy take <see cref="CaseSpec.Steps"/>
    /// steps: Sequential does one DPO epoch then one SFT epoch of Steps/2 batches each; the joint strategies do
    /// two epochs of the Steps/2 SFT batches. Rows all have the same length and an SFT batch holds as many
    /// sequences as a DPO batch (chosen + rejected), so a DPO step and an SFT step cost about the same and the
    /// ratios measure the strategies, not the mix of objectives.
    /// </summary>
    private static JointTrainingResult RunStrategy(CaseSpec spec, StepClock clock)
    {
        int half = spec.Steps / 2;
        var data = new JointTrainingData
        {
            Instructions = SyntheticRows.Instructions(spec.SftBatch * half, spec.Length, spec.Shape.Vocab, seed: 7),
            Preferences = SyntheticRows.Preferences(spec.DpoBatch * half, spec.Length, spec.Shape.Vocab, seed: 8),
            InstructionEvaluation = SyntheticRows.Instructions(1, spec.Length, spec.Shape.Vocab, seed: 9),
            PreferenceEvaluation = SyntheticRows.Preferences(1, spec.Length, spec.Shape.Vocab, seed: 10),
        };
        var options = Options(spec.SftBatch, spec.DpoBatch);
        options = options with
        {
            Reference = new ReferenceOptions { Kind = ReferenceModelKind.InitialModel },
            Strategy = options.Strategy with { Kind = spec.Strategy, Epochs = 2, SequentialDpoEpochs = 1, SequentialSftEpochs = 1, DpoOptimum = 0, SftOptimum = 0, MaxRightEvaluationInterval = 10 },
            Evaluation = options.Evaluation with { StopGap = 0, Interval = spec.Steps },
        };
        var result = new JointTrainer(options).Train(() => CreateModel(spec), data, new PhaseFilter("training", clock));
        if (result.Summary.Steps != spec.Steps)
        {
            result.Model.Dispose();
            throw new InvalidOperationException($"{spec.Label}: ran {result.Summary.Steps} steps, expected {spec.Steps}.");
        }
        return result;
    }

    /// <summary>
    /// ALRIGHT through the trainer's step loop: each step draws DPO or SFT (λ = 0.5), DPO against the cached
    /// log-probs of the initial model (the LoRA base), the step times kept per objective, the first step included
    /// (a 1B-weight step takes minutes here, so one-time costs are small beside it).
    /// </summary>
    private static CaseResult AlRight(CaseSpec spec)
    {
        using var model = CreateModel(spec, spec.Lora);
        var options = Options(spec.Batch, spec.Batch, spec.Checkpointing);
        // One batch of each: the loader serves it again, and the reference is one forward pass of B pairs.
        var instructions = SyntheticRows.Instructions(spec.Batch, spec.Length, spec.Shape.Vocab, seed: 7);
        var preferences = SyntheticRows.Preferences(spec.Batch, spec.Length, spec.Shape.Vocab, seed: 8);
        var reference = FillReference(model, options, preferences);
        var steps = new List<(ObjectiveKind? Objective, double Seconds)>();
        var progress = new StepRecorder(steps);
        // Seed 7 draws SFT, DPO, SFT, SFT, ...: the first two steps are one of each.
        var run = BenchmarkRun(options, model, new AlrightStrategy(0.5, spec.Steps, seed: 7), instructions, preferences, reference, progress);
        long start = MemoryMeter.ResidentBytes();
        var result = run.Execute(resumeFrom: null);
        var timed = steps.ToArray();
        return new CaseResult
        {
            Label = spec.Label,
            Parameters = CountParameters(model, trainableOnly: false),
            TrainableParameters = CountParameters(model, trainableOnly: true),
            DpoStepSeconds = [.. timed.Where(t => t.Objective == ObjectiveKind.Dpo).Select(t => t.Seconds)],
            SftStepSeconds = [.. timed.Where(t => t.Objective == ObjectiveKind.Sft).Select(t => t.Seconds)],
            MeasuredSteps = timed.Length,
            PeakResidentBytes = result.Summary.PeakMemoryBytes,
            StartResidentBytes = start,
            DpoSteps = result.Summary.DpoSteps,
            SftSteps = result.Summary.SftSteps,
        };
    }

    /// <summary>
    /// The same SFT batches (rows of the given real lengths, random ids) through a forward and backward pass padded
    /// and packed, alternating which goes first, so drifts of a shared machine fall on both alike.
    /// </summary>
    private static CaseResult Packing(CaseSpec spec)
    {
        using var model = CreateModel(spec);
        var random = new Random(5);
        int[] Ids(int n) => Enumerable.Range(0, n).Select(_ => random.Next(3, spec.Shape.Vocab)).ToArray();
        var rows = spec.RowLengths.Select(l => new TokenizedInstruction(Ids(l[0]), Ids(l[1]))).ToArray();
        var loader = new BatchLoader<TokenizedInstruction>(rows, spec.Batch, seed: 1, spec.Grouped ? r => r.Length : null);
        var padded = new PolicyScoring(model, new DpoLossOptions(), SyntheticRows.Eos);
        var packed = new PolicyScoring(model, new DpoLossOptions(), SyntheticRows.Eos, packSft: true);
        var paddedSeconds = new List<double>();
        var packedSeconds = new List<double>();
        long real = 0, paddedTokens = 0, packedTokens = 0;
        double Pass(PolicyScoring scoring, IReadOnlyList<TokenizedInstruction> batch)
        {
            var watch = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                using var scored = scoring.ScoreSft(batch);
                scored.Loss.backward();
                _ = scored.Loss.item<float>();
            }
            foreach (var p in model.parameters()) p.grad = null;
            return watch.Elapsed.TotalSeconds;
        }
        model.train();
        for (int b = 0; b < spec.Steps; b++)
        {
            var batch = loader.Next();
            var pairs = batch.Select(r => (r.Prompt, r.Response)).ToArray();
            real += batch.Sum(r => r.Length);
            paddedTokens += (long)batch.Count * batch.Max(r => r.Length);
            using (var collated = CausalLmBatch.CollatePacked(pairs, SyntheticRows.Eos, CPU)) packedTokens += (long)collated.BatchSize * collated.Length;
            if (b % 2 == 0)
            {
                paddedSeconds.Add(Pass(padded, batch));
                packedSeconds.Add(Pass(packed, batch));
            }
            else
            {
                packedSeconds.Add(Pass(packed, batch));
                paddedSeconds.Add(Pass(padded, batch));
            }
        }
        return new CaseResult
        {
            Label = spec.Label,
            Parameters = CountParameters(model, trainableOnly: false),
            PaddedSeconds = [.. paddedSeconds],
            PackedSeconds = [.. packedSeconds],
            RealTokens = real,
            PaddedTokens = paddedTokens,
            PackedTokens = packedTokens,
        };
    }

    /// <summary>A trainer run of the benchmark's phase: no held-out evaluation, the synthetic rows' padding id.</summary>
    private static TrainingRun BenchmarkRun(JointTrainerOptions options, CausalLm model, IJointStrategy strategy,
        IReadOnlyList<TokenizedInstruction> instructions, IReadOnlyList<TokenizedPreference> preferences,
        ReferenceLogProbCache? reference, IProgress<TrainingProgress> progress) => new(new TrainingRunSetup
        {
            Options = options,
            Model = model,
            Strategy = strategy,
            Phase = "benchmark",
            PadTokenId = SyntheticRows.Eos,
            Instructions = instructions,
            Preferences = preferences,
            Reference = reference,
            EvaluateDuringRun = false,
            Progress = progress,
        });

    /// <summary>Keeps each step's objective and duration.</summary>
    private sealed class StepRecorder(List<(ObjectiveKind? Objective, double Seconds)> steps) : IProgress<TrainingProgress>
    {
        private TimeSpan _last;

        public void Report(TrainingProgress value)
        {
            if (value.Phase != "benchmark") return;
            steps.Add((value.Stepped, (value.Elapsed - _last).TotalSeconds));
            _last = value.Elapsed;
        }
    }

    /// <summary>
    /// The per-step cost that does not depend on the batch: clipping and the AdamW update of every weight, as the
    /// trainer does it (the norm, its one host read, the fused update with the clip coefficient folded in),
    /// alternating step by step with the sequence of per-parameter tensor operations used before (clip the
    /// gradients in place, then lerp_, mul_, addcmul_, sqrt, add_, addcdiv_ per parameter), so both are timed
    /// under the same machine load.
    /// </summary>
    private static CaseResult Optimizer(CaseSpec spec)
    {
        using var model = CreateModel(spec);
        var trainable = model.TrainableParameters();
        using var optimizer = new AdamW(trainable, 0.9, 0.95, 1e-8, 0);
        var fused = new StepClock();
        var tensorOps = new StepClock();
        for (int step = 0; step < 2 * spec.MaxSteps && !(TimedObjective.Enough(fused, spec.MinSteps, spec.MinSeconds) && TimedObjective.Enough(tensorOps, spec.MinSteps, spec.MinSeconds)); step++)
        {
            bool useFused = step % 2 == 0;
            var clock = useFused ? fused : tensorOps;
            using var scope = NewDisposeScope();
            using (no_grad())
                foreach (var p in trainable) p.grad = randn_like(p).DetachFromDisposeScope();
            clock.StartStep();
            var watch = Stopwatch.StartNew();
            optimizer.UseFusedKernel = useFused;
            if (useFused)
            {
                var norm = optimizer.GradientNorm();
                _ = norm.item<float>();
                optimizer.Step(LearningRate, norm, 1.0);
            }
            else
            {
                var norm = GradientClipping.ClipByGlobalNorm(trainable, 1.0);
                _ = norm.item<float>();
                optimizer.Step(LearningRate);
            }
            optimizer.ZeroGrad();
            clock.Record(watch.Elapsed.TotalSeconds);
        }
        return TimedResult(spec, model, fused) with { AlternativeStepSeconds = [.. tensorOps.Undisturbed.Select(t => t.Seconds)] };
    }

    /// <summary>A long ALRIGHT run (with held-out evaluations) sampling resident memory after given steps.</summary>
    private static CaseResult Growth(CaseSpec spec)
    {
        int shortest = spec.MixedLengths ? spec.Length / 4 : spec.Length;
        var data = new JointTrainingData
        {
            Instructions = SyntheticRows.VariableInstructions(256, shortest, spec.Length, spec.Shape.Vocab, seed: 7),
            Preferences = SyntheticRows.VariablePreferences(128, shortest, spec.Length, spec.Shape.Vocab, seed: 8),
        };
        var options = Options(spec.SftBatch, spec.DpoBatch);
        options = options with
        {
            Reference = new ReferenceOptions { Kind = ReferenceModelKind.InitialModel },
            Strategy = options.Strategy with { Kind = JointStrategy.AlRight, MaxSteps = spec.Steps, Epochs = 1000 },
            Evaluation = options.Evaluation with { Interval = 100 },
        };
        var samples = new Dictionary<int, long>();
        var clock = new StepClock
        {
            AfterStep = step =>
            {
                if (!spec.SampleSteps.Contains(step)) return;
                GC.Collect(); // managed garbage is not what this measures
                GC.WaitForPendingFinalizers();
                samples[step] = MemoryMeter.ResidentBytes();
            },
        };
        var result = new JointTrainer(options).Train(() => CreateModel(spec), data, new PhaseFilter("training", clock));
        using var model = result.Model;
        return new CaseResult
        {
            Label = spec.Label,
            Parameters = CountParameters(model, trainableOnly: false),
            RunSeconds = result.Summary.RuntimeSeconds,
            MeasuredSteps = clock.Measured.Count,
            CpuShare = RunShare(clock),
            PeakResidentBytes = result.Summary.PeakMemoryBytes,
            ResidentAfterStep = samples,
            DpoSteps = result.Summary.DpoSteps,
            SftSteps = result.Summary.SftSteps,
        };
    }

    // Model FLOPs of the rows of one batch, each counted at its own length (padding is not useful work).
    /// <summary>The fields every timed-step case reports: its weights and its undisturbed steps.</summary>
    private static CaseResult TimedResult(CaseSpec spec, CausalLm model, StepClock clock) => new()
    {
        Label = spec.Label,
        Parameters = CountParameters(model, trainableOnly: false),
        TrainableParameters = CountParameters(model, trainableOnly: true),
        StepSeconds = [.. clock.Undisturbed.Select(t => t.Seconds)],
        MeasuredSteps = clock.Measured.Count,
        CpuShare = clock.Undisturbed.Average(t => t.Share),
    };

    private static double RowFlops(CaseSpec spec) => SyntheticRows.RowLengths(spec.Batch, spec.Length, spec.MixedLengths)
        .Sum(length => spec.Shape.TrainingFlops(length, SyntheticRows.ScoredTokens(length)));

    // Processor share over a whole run (all its steps after the first, disturbed or not).
    private static double RunShare(StepClock clock) =>
        clock.Measured.Sum(t => t.CpuSeconds) / (clock.Measured.Sum(t => t.Seconds) * torch.get_num_threads());

    private static long CountParameters(CausalLm model, bool trainableOnly) =>
        model.parameters().Where(p => !trainableOnly || p.requires_grad).Sum(p => p.numel());

    /// <summary>Passes on the reports of one phase only (the trainer also reports its reference phase).</summary>
    private sealed class PhaseFilter(string phase, IProgress<TrainingProgress> inner) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Phase == phase) inner.Report(value);
        }
    }
}
