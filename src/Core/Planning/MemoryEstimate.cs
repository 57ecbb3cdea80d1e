using System.Globalization;
using XRight.Modeling;

namespace XRight.Planning;

/// <summary>
/// The peak memory of a training step, estimated from the model's configuration, the trainer's options, the
/// micro-batch and the sequence length, and broken down into weights, master copies, gradients, optimizer state,
/// activations, logits, the reference and the runtime. Answers whether a run fits in a memory budget and the
/// largest batch that does.
/// </summary>
/// <remarks>
/// <para>
/// The activation terms follow what the forward code of each family (src/Core/Modeling) leaves saved for the
/// backward pass: per decoder layer, the inputs of the norms, the inputs of the linear layers whose weights
/// train (all of them in full fine-tuning; LoRA targets only under LoRA, which also keep their rank-r
/// intermediate), the attention's query, key and value and its output and log-sum-exp, and the MLP's activation
/// inputs/outputs. A tensor that does not need a gradient saves nothing, so under LoRA the first layer (whose
/// input comes from the frozen embedding) keeps less. With gradient checkpointing each layer keeps only its
/// input, and one layer's activations are recomputed while its backward runs. The output head runs only on the
/// response tokens. When it trains, their float32 logits are kept for the backward pass, whose log-sum-exp
/// gradient makes three more tensors of that size; when it is frozen (LoRA) they are scored in chunks of
/// 2²³ logits, three such tensors alive at once, and only a float32 [tokens, embedding] gradient is kept.
/// </para>
/// <para>
/// <see cref="TotalBytes"/> is the largest sum that is alive at once, not the sum of the parts: the backward pass
/// is followed layer by layer from the output head down, each layer's saved activations being released as its
/// weight gradients appear (with gradient accumulation the previous micro-batches' gradients are there from the
/// start), and the optimizer step holds every gradient plus AdamW's float32 denominators (one per trainable weight).
/// Weights, master copies, optimizer state, the reference and the runtime are resident throughout.
/// DPO scores the chosen and the rejected sequence of each pair in one forward pass, so a DPO batch of B pairs
/// runs 2B sequences. Dropout masks are not counted (the paper's models train without dropout).
/// </para>
/// </remarks>
public sealed class MemoryEstimate
{
    /// <summary>Bytes in a GiB.</summary>
    public const double BytesPerGiB = 1L << 30;

    /// <summary>The default of <see cref="MemoryPlanSettings.RuntimeOverheadBytes"/>: 400 MiB.</summary>
    public const long DefaultRuntimeOverheadBytes = 400L << 20;

    /// <summary>Bytes the reference cache keeps per preference pair (a 128-bit key and two doubles in a hash table, with its slack).</summary>
    public const long ReferenceCacheBytesPerPair = 64;

    private readonly CausalLmConfig _config;
    private readonly JointTrainerOptions _options;
    private readonly MemoryPlanSettings _settings;

    private MemoryEstimate(CausalLmConfig config, JointTrainerOptions options, int batchSize, int sequenceLength, MemoryPrecision precision,
        MemoryPlanSettings settings, StepMemory step, ResidentMemory resident)
    {
        _config = config;
        _options = options;
        _settings = settings;
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        Precision = precision;
        Objective = step.Objective;
        Parameters = resident.Parameters;
        TrainableParameters = resident.Trainable;
        WeightsBytes = resident.Weights;
        MasterWeightsBytes = resident.Masters;
        OptimizerStateBytes = resident.Optimizer;
        ReferenceBytes = resident.Reference;
        RuntimeOverheadBytes = settings.RuntimeOverheadBytes;
        GradientsBytes = step.Gradients;
        ActivationsBytes = step.Activations;
        LogitsBytes = step.Logits;
        StepPeakBytes = step.Peak;
        TotalBytes = resident.Total + settings.RuntimeOverheadBytes + step.Peak;
    }

    /// <summary>Rows per SFT micro-batch and pairs per DPO micro-batch.</summary>
    public int BatchSize { get; }

    /// <summary>Tokens per sequence.</summary>
    public int SequenceLength { get; }

    /// <summary>The element types assumed for weights, gradients and activations.</summary>
    public MemoryPrecision Precision { get; }

    /// <summary>The objective whose step has the larger peak (the one <see cref="TotalBytes"/> is for).</summary>
    public ObjectiveKind Objective { get; }

    /// <summary>Weights of the model, adapters included.</summary>
    public long Parameters { get; }

    /// <summary>Weights the optimizer updates: the adapters under LoRA, else all.</summary>
    public long TrainableParameters { get; }

    /// <summary>The model's weights as they are held for compute (frozen base, trainable weights, adapters).</summary>
    public long WeightsBytes { get; }

    /// <summary>float32 master copies of trainable weights held in a lower precision (0 in float32 and for float32 adapters).</summary>
    public long MasterWeightsBytes { get; }

    /// <summary>The gradients of every trainable weight, as they all exist at the optimizer step.</summary>
    public long GradientsBytes { get; }

    /// <summary>AdamW's two float32 moments per trainable weight.</summary>
    public long OptimizerStateBytes { get; }

    /// <summary>
    /// Activations when the step peaks: what the layers still hold for the backward pass, the batch's index
    /// tensors, and the recomputed layer and gradient temporaries of the layer whose backward is running.
    /// The logits are apart (<see cref="LogitsBytes"/>).
    /// </summary>
    public long ActivationsBytes { get; }

    /// <summary>The float32 logits of the response tokens and the three temporaries of their gradient.</summary>
    public long LogitsBytes { get; }

    /// <summary>The DPO reference: the cache of its log-probabilities, or a frozen copy's weights.</summary>
    public long ReferenceBytes { get; }

    /// <summary>The process before any model: .NET, libtorch (see <see cref="MemoryPlanSettings.RuntimeOverheadBytes"/>).</summary>
    public long RuntimeOverheadBytes { get; }

    /// <summary>What the step adds at its peak on top of the resident parts: activations, logits and gradients alive at once.</summary>
    public long StepPeakBytes { get; }

    /// <summary>The estimated peak: resident parts + runtime + <see cref="StepPeakBytes"/>.</summary>
    public long TotalBytes { get; }

    /// <summary><see cref="TotalBytes"/> in GiB.</summary>
    public double TotalGiB => TotalBytes / BytesPerGiB;

    /// <summary>True when the estimated peak is at most <paramref name="gib"/> GiB.</summary>
    public bool Fits(double gib)
    {
        RequireBudget(gib);
        return TotalBytes <= gib * BytesPerGiB;
    }

    /// <summary>
    /// The largest batch size (rows per SFT batch, pairs per DPO batch) whose estimate fits in
    /// <paramref name="gib"/> GiB with everything else as in this estimate; 0 when not even one row fits.
    /// </summary>
    public int LargestBatchThatFits(double gib)
    {
        RequireBudget(gib);
        bool FitsWith(int batch) => For(_config, _options, batch, SequenceLength, Precision, _settings).Fits(gib);
        if (!FitsWith(1)) return 0;
        // The estimate grows with the batch: double until it no longer fits, then bisect.
        int low = 1, high = 2;
        const int limit = 1 << 24;
        while (high < limit && FitsWith(high)) (low, high) = (high, high * 2);
        if (high >= limit && FitsWith(limit)) return limit;
        while (high - low > 1)
        {
            int mid = low + (high - low) / 2;
            if (FitsWith(mid)) low = mid; else high = mid;
        }
        return low;
    }

    /// <summary>A one-line summary in MiB.</summary>
    public override string ToString()
    {
        static string M(long b) => (b / (double)(1 << 20)).ToString("F0", CultureInfo.InvariantCulture);
        return $"{Objective} B={BatchSize} T={SequenceLength} {Precision}: total {M(TotalBytes)} MiB = weights {M(WeightsBytes)} + masters {M(MasterWeightsBytes)} " +
               $"+ optimizer {M(OptimizerStateBytes)} + reference {M(ReferenceBytes)} + runtime {M(RuntimeOverheadBytes)} + step peak {M(StepPeakBytes)} " +
               $"(activations {M(ActivationsBytes)}, logits {M(LogitsBytes)}, gradients {M(GradientsBytes)} when all exist)";
    }

    /// <summary>
    /// Estimates the peak memory of training <paramref name="config"/> with <paramref name="options"/> (LoRA,
    /// <see cref="RuntimeOptions.GradientCheckpointing"/>, gradient accumulation, the strategy's objectives) on
    /// micro-batches of <paramref name="batchSize"/> rows (SFT) or pairs (DPO) of <paramref name="sequenceLength"/> tokens.
    /// </summary>
    /// <exception cref="ArgumentException">An argument or option is out of range, or a LoRA target matches no layer.</exception>
    public static MemoryEstimate For(CausalLmConfig config, JointTrainerOptions options, int batchSize, int sequenceLength,
        MemoryPrecision precision = MemoryPrecision.Float32, MemoryPlanSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        settings ??= new MemoryPlanSettings();
        settings.Validate();
        options.Lora?.Validate();
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"The batch size must be at least 1, found {batchSize}.");
        if (sequenceLength < 2) throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, $"The sequence length must be at least 2 (a prompt token and a response token), found {sequenceLength}.");
        if (!Enum.IsDefined(precision)) throw new ArgumentOutOfRangeException(nameof(precision), precision, $"Unknown precision {precision}.");
        if (settings.ResponseTokens is { } r && r >= sequenceLength)
            throw new ArgumentOutOfRangeException(nameof(settings), r, $"MemoryPlanSettings.ResponseTokens ({r}) must be below the sequence length ({sequenceLength}): at least one prompt token precedes the response.");
        if (settings.Reference == ReferenceMemory.PolicyWithoutAdapters && options.Lora is null)
            throw new ArgumentException("MemoryPlanSettings.Reference: PolicyWithoutAdapters needs LoRA (JointTrainerOptions.Lora is null).", nameof(settings));

        var model = new MemoryModel(ModelLayout.Of(config), options.Lora, precision);
        var objectives = settings.Objective is { } only ? [only]
            : new[] { ObjectiveKind.Sft, ObjectiveKind.Dpo }.Where(o => o == ObjectiveKind.Sft ? options.Strategy.UsesSft : options.Strategy.UsesDpo).ToArray();
        if (objectives.Length == 0) objectives = [ObjectiveKind.Sft];
        int scored = settings.ResponseTokens ?? sequenceLength - 1;
        var step = objectives
            .Select(o => model.Step(o, o == ObjectiveKind.Dpo ? 2 * batchSize : batchSize, sequenceLength, scored,
                options.Runtime.GradientCheckpointing, options.Batches.GradientAccumulationSteps > 1))
            .MaxBy(s => s.Peak)!;
        var resident = model.Resident(settings);
        return new MemoryEstimate(config, options, batchSize, sequenceLength, precision, settings, step, resident);
    }

    private static void RequireBudget(double gib)
    {
        if (!(gib > 0) || !double.IsFinite(gib)) throw new ArgumentOutOfRangeException(nameof(gib), gib, $"The memory budget must be a positive number of GiB, found {gib}.");
    }
}

/// <summary>What stays resident for the whole run.</summary>
internal sealed record ResidentMemory(long Parameters, long Trainable, long Weights, long Masters, long Optimizer, long Reference)
{
    public long Total => Weights + Masters + Optimizer + Reference;
}

/// <summary>What one step adds, at its peak, and its parts.</summary>
internal sealed record StepMemory(ObjectiveKind Objective, long Peak, long Activations, long Logits, long Gradients);
