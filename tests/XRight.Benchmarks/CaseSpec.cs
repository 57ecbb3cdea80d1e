using XRight.Modeling;
using XRight.Training;

namespace XRight.Benchmarks;

/// <summary>What a measured case does.</summary>
internal enum CaseKind
{
    /// <summary>Training steps of one objective through the trainer's step loop.</summary>
    Step,

    /// <summary>DPO steps written out by hand, with the reference log-probs cached or from a live reference forward.</summary>
    ReferenceDpo,

    /// <summary>A whole joint run of one strategy through <see cref="JointTrainer"/>.</summary>
    Strategy,

    /// <summary>Every strategy's run, round after round in one process, for paired time ratios.</summary>
    StrategyRounds,

    /// <summary>A long ALRIGHT run on a tiny model, sampling resident memory.</summary>
    Growth,

    /// <summary>Gradient clipping and the AdamW update alone, on a model's parameters with random gradients.</summary>
    Optimizer,

    /// <summary>SFT forward and backward passes of the same batches padded and packed, alternately.</summary>
    Packing,

    /// <summary>A few ALRIGHT steps (DPO against the initial model's cached log-probs, and SFT) through the trainer's step loop.</summary>
    AlRight,
}

/// <summary>One measurement, run in a fresh process so its peak memory is its own.</summary>
internal sealed record CaseSpec
{
    public required CaseKind Kind { get; init; }
    public required string Size { get; init; }
    public CausalLmArchitecture Architecture { get; init; } = CausalLmArchitecture.GptNeoX;
    public int Length { get; init; } = 256;

    /// <summary>Rows per SFT batch, or pairs per DPO batch.</summary>
    public int Batch { get; init; } = 1;

    public ObjectiveKind Objective { get; init; } = ObjectiveKind.Sft;

    /// <summary>
    /// Step cases: every other row is half as long, so every batch is right-padded. Growth case: row lengths
    /// vary uniformly between T/4 and T (else every row has T tokens).
    /// </summary>
    public bool MixedLengths { get; init; }
    public bool Lora { get; init; }

    /// <summary>Step cases: mixed-precision training (the model is created in the half type, the optimizer keeps float32 masters).</summary>
    public MixedPrecision Precision { get; init; } = MixedPrecision.None;
    public bool LiveReference { get; init; }

    /// <summary>Gradient checkpointing per decoder layer (<see cref="RuntimeOptions.GradientCheckpointing"/>).</summary>
    public bool Checkpointing { get; init; }

    /// <summary>
    /// Run the case with glibc's mmap threshold fixed (MALLOC_MMAP_THRESHOLD_ = 128 KiB), so every tensor of
    /// 128 KiB or more is returned to the system when freed and resident memory follows the live tensors.
    /// </summary>
    public bool FixedMmapThreshold { get; init; }

    /// <summary>Step cases: measure at least this long after the warm-up step, within the step bounds.</summary>
    public double MinSeconds { get; init; } = 5;

    public int MinSteps { get; init; } = 2;
    public int MaxSteps { get; init; } = 20;
    public JointStrategy Strategy { get; init; }
    public int SftBatch { get; init; }
    public int DpoBatch { get; init; }

    /// <summary>Strategy and growth cases: optimizer steps of the run.</summary>
    public int Steps { get; init; }

    /// <summary>Strategy rounds: how many times every strategy runs.</summary>
    public int Rounds { get; init; }

    /// <summary>Growth case: the steps after which resident memory is sampled.</summary>
    public int[] SampleSteps { get; init; } = [];

    public int Threads { get; init; }

    /// <summary>Packing case: the (prompt, response) token counts of the rows, from real data.</summary>
    public int[][] RowLengths { get; init; } = [];

    /// <summary>Packing case: batches drawn in the trainer's length-grouped order (else in random order).</summary>
    public bool Grouped { get; init; }

    public string Label => Kind switch
    {
        CaseKind.Step => $"{Objective.ToString().ToUpperInvariant()} {Shape.Label} T={Length}{(MixedLengths ? " and T/2" : "")} B={Batch}{(Lora ? " LoRA" : "")}{(Precision != MixedPrecision.None ? " " + Precision : "")}{(Checkpointing ? " checkpointed" : "")}",
        CaseKind.Packing => $"SFT {Shape.Label} padded and packed, {RowLengths.Length} rows, {Steps} batches of {Batch}{(Grouped ? ", grouped by length" : "")}",
        CaseKind.AlRight => $"ALRIGHT {Shape.Label} T={Length} B={Batch}{(Lora ? " LoRA" : "")}{(Checkpointing ? " checkpointed" : "")}, {Steps} steps",
        CaseKind.ReferenceDpo => $"DPO {Shape.Label} T={Length} B={Batch} {(LiveReference ? "live reference" : "cached reference")}",
        CaseKind.Strategy => $"{Strategy} {Shape.Label} T={Length}",
        CaseKind.StrategyRounds => $"every strategy, {Rounds} rounds, {Shape.Label} T={Length}",
        CaseKind.Optimizer => $"clipping + AdamW on {Shape.Label}, fused and tensor operations alternately",
        CaseKind.Growth => $"ALRIGHT {Shape.Label} {Steps} steps, {(MixedLengths ? "lengths T/4..T" : "all rows T")} (T={Length})",
        _ => Kind.ToString(),
    };

    public ModelShape Shape => ModelShape.Get(Size, Architecture);
}
