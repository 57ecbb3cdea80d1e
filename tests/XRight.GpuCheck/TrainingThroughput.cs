using XRight.Benchmarks;
using XRight.Modeling;
using XRight.Modeling.Lora;
using XRight.Training;
using XRight.Training.Reference;
using XRight.Training.Strategies;
using static TorchSharp.torch;

namespace XRight.GpuCheck;

/// <summary>
/// Section (c): timed SFT and DPO steps of a pythia-1b-shaped GPT-NeoX (hidden 2048, 16 layers, 8 heads,
/// MLP 8192, vocabulary 50304, random weights) in bfloat16, through the trainer's own step loop (forward,
/// backward, global-norm clipping, AdamW, the step's one host read), with full fine-tuning and with LoRA r = α = 32
/// on <c>query_key_value</c>. The weights and the AdamW state are bfloat16 (the model's element type; LoRA
/// adapters are float32, as in PEFT). Rows all have the given length, so no batch is padded; the prompt is a
/// quarter of each row and the rest is scored.
/// </summary>
internal static class TrainingThroughput
{
    public static readonly ModelShape Pythia1b = new("pythia-1b", CausalLmArchitecture.GptNeoX, 50304, 2048, 16, 8, 8192);

    private static readonly ModelShape Quick = new("quick", CausalLmArchitecture.GptNeoX, 512, 64, 2, 4, 256);

    public const string GradientCheckpointing = "not available: XRight has no gradient checkpointing yet; every activation is kept for the backward pass";

    public const string FullFlopsFormula = "6·N·tokens, N = all parameters except the input embedding (a lookup), tokens = every token of the batch (a DPO step of B pairs runs 2B sequences)";

    public const string LoraFlopsFormula = "4·N·tokens + 6·N_lora·tokens: the frozen weights do the forward pass (2·N) and pass gradients back to the inputs (2·N) " +
                                           "but compute no weight gradient; the adapters do all three (6·N_lora)";

    public const string AttentionFlopsFormula = "6·layers·hidden·T² per sequence (causal QKᵀ and AV, forward and backward), added for mfu_with_attention";

    public static TrainingReport Run(CheckSettings settings, Device device, DeviceMemory memory, TextWriter log)
    {
        var shape = settings.Quick ? Quick : Pythia1b;
        var cases = new List<TrainingCase>();
        var errors = new List<string>();
        foreach (bool lora in new[] { false, true })
            foreach (var objective in new[] { ObjectiveKind.Sft, ObjectiveKind.Dpo })
            {
                string label = $"{(objective == ObjectiveKind.Sft ? "SFT" : "DPO")} {(lora ? "LoRA r=32 on query_key_value" : "full fine-tuning")}";
                log.WriteLine($"  {shape.Name} bf16 {label}");
                try
                {
                    var result = RunCase(settings, shape, device, memory, objective, lora) with { Label = label };
                    cases.Add(result);
                    log.WriteLine($"    median {result.MedianStepSeconds:F4} s/step, {result.TokensPerSecond:F0} tokens/s, MFU {result.Mfu:P1} (6ND)");
                }
                catch (Exception e)
                {
                    errors.Add($"{label}: {e.GetType().Name}: {e.Message}");
                    log.WriteLine($"    FAILED: {e.GetType().Name}: {e.Message}");
                }
            }
        return new TrainingReport
        {
            Shape = new ShapeReport(shape.Name, shape.Vocab, shape.Hidden, shape.Layers, shape.Heads, shape.Intermediate, 0.25, "bfloat16"),
            Quick = settings.Quick,
            PeakTflops = settings.PeakTflops,
            GradientCheckpointing = GradientCheckpointing,
            FullFlopsFormula = FullFlopsFormula,
            LoraFlopsFormula = LoraFlopsFormula,
            AttentionFlopsFormula = AttentionFlopsFormula,
            Optimizer = $"AdamW (XRight's), lr {settings.LearningRate:G}, betas (0.9, 0.95), eps 1e-8, weight decay 0, state in the parameters' element type; global-norm clipping at 1.0",
            MemoryHelper = memory.HelperStatus,
            MemoryNvml = memory.NvmlStatus,
            Cases = cases,
            Errors = errors,
        };
    }

    private static TrainingCase RunCase(CheckSettings settings, ModelShape shape, Device device, DeviceMemory memory, ObjectiveKind objective, bool lora)
    {
        bool dpo = objective == ObjectiveKind.Dpo;
        int batch = dpo ? settings.DpoBatch : settings.SftBatch;
        int length = settings.Sequence;
        memory.EmptyCache();
        using var model = CausalLm.Create(shape.Config(Math.Max(shape == Pythia1b ? 2048 : 256, length)),
            new ModelOptions { Dtype = ModelDtype.BFloat16, Device = device, Seed = 1 });
        if (lora) model.ApplyLora(new LoraOptions { Rank = 32, Alpha = 32, TargetModules = ["query_key_value"] });

        var options = new JointTrainerOptions
        {
            Optimizer = new() { LearningRate = settings.LearningRate },
            Batches = new() { SftBatchSize = settings.SftBatch, DpoBatchSize = settings.DpoBatch },
            Evaluation = new() { BatchSize = batch },
            Runtime = new() { Device = settings.Device, Seed = 1 },
        };
        // Two distinct batches; the loader goes round them.
        var instructions = dpo ? [] : SyntheticRows.Instructions(2 * batch, length, shape.Vocab, seed: 7);
        var preferences = dpo ? SyntheticRows.Preferences(2 * batch, length, shape.Vocab, seed: 7) : [];
        ReferenceLogProbCache? reference = null;
        if (dpo)
        {
            // The reference is the initial policy (ReferenceModelKind.InitialModel), computed once before the steps.
            reference = new ReferenceLogProbCache("gpu-check");
            new PolicyScoring(model, options.Dpo, SyntheticRows.Eos).FillReferenceCache(reference, preferences, batch);
        }

        long? before = memory.AllocatorStats()?.Allocated;
        memory.ResetPeak();
        var timer = new StepTimer(device, memory);
        var run = new TrainingRun(new TrainingRunSetup
        {
            Options = options,
            Model = model,
            Strategy = new FixedObjective(objective, settings.Warmup + settings.Steps),
            Phase = "gpu-check",
            PadTokenId = SyntheticRows.Eos,
            Instructions = instructions,
            Preferences = preferences,
            Reference = reference,
            EvaluateDuringRun = false,
            Progress = timer,
        });
        run.Execute(resumeFrom: null);
        var figures = memory.Figures(before);

        var timed = timer.StepSeconds.Skip(settings.Warmup).ToArray();
        double median = Median(timed);
        int sequences = dpo ? 2 * batch : batch;
        long tokens = (long)sequences * length;
        long parameters = model.parameters().Sum(p => p.numel());
        long trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        long embedding = (long)shape.Vocab * shape.Hidden;
        long frozenOrAll = (lora ? parameters - trainable : parameters) - embedding;
        double modelFlops = lora ? 4.0 * frozenOrAll * tokens + 6.0 * trainable * tokens : 6.0 * frozenOrAll * tokens;
        double attentionFlops = 6.0 * shape.Layers * shape.Hidden * (double)length * length * sequences;
        double peak = settings.PeakTflops * 1e12;
        return new TrainingCase
        {
            Label = "",
            Objective = dpo ? "DPO" : "SFT",
            Variant = lora ? "lora" : "full",
            Batch = batch,
            BatchUnit = dpo ? "pairs (chosen and rejected: 2 sequences each)" : "rows",
            SequenceLength = length,
            TokensPerStep = tokens,
            Parameters = parameters,
            TrainableParameters = trainable,
            WarmupSteps = settings.Warmup,
            StepSeconds = timed,
            WarmupStepSeconds = timer.StepSeconds.Take(settings.Warmup).ToArray(),
            MedianStepSeconds = median,
            TokensPerSecond = tokens / median,
            ModelFlopsPerStep = modelFlops,
            AttentionFlopsPerStep = attentionFlops,
            FlopsFormula = lora ? LoraFlopsFormula : FullFlopsFormula,
            AchievedTflops = modelFlops / median / 1e12,
            Mfu = modelFlops / median / peak,
            MfuWithAttention = (modelFlops + attentionFlops) / median / peak,
            Memory = figures,
            FinalLoss = timer.LastLoss,
        };
    }

    private static double Median(double[] values)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// Each step's wall time from the trainer's reports (sent synchronously after the step's host read, which waits
    /// for the device); the device is synchronised again before the time is taken, so queued work is counted.
    /// </summary>
    private sealed class StepTimer(Device device, DeviceMemory memory) : IProgress<TrainingProgress>
    {
        private TimeSpan _last;

        public List<double> StepSeconds { get; } = [];

        public double LastLoss { get; private set; } = double.NaN;

        public void Report(TrainingProgress value)
        {
            if (device.type == TorchSharp.DeviceType.CUDA) TorchSharp.torch.cuda.synchronize(device);
            StepSeconds.Add((value.Elapsed - _last).TotalSeconds);
            _last = value.Elapsed;
            LastLoss = value.Stepped == ObjectiveKind.Dpo ? value.DpoLoss : value.SftLoss;
            memory.Sample();
        }
    }

    /// <summary>Exactly <paramref name="steps"/> steps on one objective.</summary>
    private sealed class FixedObjective(ObjectiveKind objective, int steps) : IJointStrategy
    {
        public string Name => $"fixed {objective}";
        public int TotalSteps => steps;
        public EvaluationNeed Need(int step) => EvaluationNeed.None;
        public StepDecision Decide(int step, ObjectivePair? values) => objective == ObjectiveKind.Dpo ? StepDecision.Dpo : StepDecision.Sft;
        public void Observe(ObjectiveKind kind, double batchLoss) { }
        public StrategyState SaveState() => new([], []);
        public void LoadState(StrategyState state) { }
    }
}

internal sealed record ShapeReport(string Name, int Vocab, int Hidden, int Layers, int Heads, int Intermediate, double RotaryPct, string Dtype);

internal sealed record TrainingReport
{
    public required ShapeReport Shape { get; init; }
    public bool Quick { get; init; }
    public double PeakTflops { get; init; }
    public required string GradientCheckpointing { get; init; }
    public required string FullFlopsFormula { get; init; }
    public required string LoraFlopsFormula { get; init; }
    public required string AttentionFlopsFormula { get; init; }
    public required string Optimizer { get; init; }
    public required string MemoryHelper { get; init; }
    public required string MemoryNvml { get; init; }
    public required IReadOnlyList<TrainingCase> Cases { get; init; }
    public required IReadOnlyList<string> Errors { get; init; }
}

internal sealed record TrainingCase
{
    public required string Label { get; init; }
    public required string Objective { get; init; }
    public required string Variant { get; init; }
    public int Batch { get; init; }
    public required string BatchUnit { get; init; }
    public int SequenceLength { get; init; }
    public long TokensPerStep { get; init; }
    public long Parameters { get; init; }
    public long TrainableParameters { get; init; }
    public int WarmupSteps { get; init; }
    public required double[] WarmupStepSeconds { get; init; }
    public required double[] StepSeconds { get; init; }
    public double MedianStepSeconds { get; init; }
    public double TokensPerSecond { get; init; }
    public double ModelFlopsPerStep { get; init; }
    public double AttentionFlopsPerStep { get; init; }
    public required string FlopsFormula { get; init; }
    public double AchievedTflops { get; init; }
    public double Mfu { get; init; }
    public double MfuWithAttention { get; init; }
    public required MemoryFigures Memory { get; init; }
    public double FinalLoss { get; init; }
}
