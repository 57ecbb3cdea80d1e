using XRight.Modeling.Lora;
using XRight.Objectives;
using XRight.Runtime;

namespace XRight;

/// <summary>
/// Everything a joint SFT/DPO run needs besides the model and the data, as immutable records grouped
/// by topic; vary one with <c>with</c> (<c>options with { Strategy = options.Strategy with { Lambda = 0.25 } }</c>).
/// Defaults follow the paper and its reference code (SPEC.md section 5).
/// </summary>
public record JointTrainerOptions
{
    /// <summary>The strategy, λ, epochs, step cap and f*. Default: ALRIGHT, λ = 0.5, one epoch.</summary>
    public StrategyOptions Strategy { get; init; } = new();

    /// <summary>The preference loss: β, sigmoid/IPO, cDPO label smoothing. Default: β = 0.1, plain DPO.</summary>
    public DpoLossOptions Dpo { get; init; } = new();

    /// <summary>AdamW, schedule and clipping. Default: the paper's (lr 5e-5, β = (0.9, 0.95), clip 1.0).</summary>
    public OptimizerOptions Optimizer { get; init; } = new();

    /// <summary>Batch sizes, gradient accumulation and length grouping. Default: SFT 12, DPO 4.</summary>
    public BatchOptions Batches { get; init; } = new();

    /// <summary>Held-out evaluation and stopping rules. Default: 3% held out, every 100 steps, gap 1e-4.</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>Checkpoint folder, interval, retention and resume. Default: none.</summary>
    public CheckpointOptions Checkpoints { get; init; } = new();

    /// <summary>The DPO reference policy. Default: SFT on the chosen responses, cached in memory.</summary>
    public ReferenceOptions Reference { get; init; } = new();

    /// <summary>LoRA adapters to train instead of all weights; null for full fine-tuning.</summary>
    public LoraOptions? Lora { get; init; }

    /// <summary>Device, seed and threads. Default: auto device, seed 42.</summary>
    public RuntimeOptions Runtime { get; init; } = new();

    /// <summary>TensorBoard event files and completion samples. Default: none.</summary>
    public LoggingOptions Logging { get; init; } = new();

    /// <summary>Checks every option; throws naming the option (as <c>Group.Name</c>) and its value.</summary>
    public virtual void Validate()
    {
        foreach (var (name, value) in new (string, object?)[] { (nameof(Strategy), Strategy), (nameof(Dpo), Dpo), (nameof(Optimizer), Optimizer),
                     (nameof(Batches), Batches), (nameof(Evaluation), Evaluation), (nameof(Checkpoints), Checkpoints), (nameof(Reference), Reference),
                     (nameof(Runtime), Runtime), (nameof(Logging), Logging) })
            if (value is null) throw new ArgumentNullException(name, $"JointTrainerOptions.{name} must not be null.");
        Strategy.Validate();
        Dpo.Validate();
        Optimizer.Validate();
        Batches.Validate();
        Evaluation.Validate();
        Checkpoints.Validate();
        Reference.Validate();
        Lora?.Validate();
        Runtime.Validate();
        Logging.Validate();
    }
}
