using XRight.Modeling.Lora;
using XRight.Objectives;
using XRight.Runtime;
using XRight.Training.Optimization;

namespace XRight.Training;

/// <summary>
/// Everything a joint SFT/DPO run needs besides the model and the data. Defaults follow the paper and
/// its reference code (SPEC.md section 5) where they say something: AdamW lr 5e-5, betas 0.9/0.95, no
/// weight decay, clip 1.0, constant schedule, SFT batch 12, DPO batch 4, β = 0.1, MAXRIGHT k = 10,
/// evaluation on the first 3% of each training set every 100 steps.
/// </summary>
public class JointTrainerOptions
{
    /// <summary>How the objectives share the steps. Default: <see cref="JointStrategy.AlRight"/>.</summary>
    public JointStrategy Strategy { get; set; } = JointStrategy.AlRight;

    /// <summary>λ in [0, 1]: the weight of DPO (larger favours DPO). Default: 0.5.</summary>
    public double Lambda { get; set; } = 0.5;

    /// <summary>DPO temperature β (> 0): how far the policy may move from the reference. Default: 0.1.</summary>
    public double Beta { get; set; } = 0.1;

    /// <summary>DPO loss: sigmoid (DPO, cDPO with <see cref="LabelSmoothing"/>) or IPO. Default: sigmoid.</summary>
    public DpoLossType DpoLossType { get; set; } = DpoLossType.Sigmoid;

    /// <summary>cDPO label smoothing ε in [0, 0.5); 0 is plain DPO. Default: 0.</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>
    /// Epochs of the joint strategies; one epoch is one pass over the SFT batches (as in the reference
    /// code), the preference loader cycling independently. Default: 1.
    /// </summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Sequential: epochs of DPO (T_DPO). Default: 1.</summary>
    public int SequentialDpoEpochs { get; set; } = 1;

    /// <summary>Sequential: epochs of SFT (T_SFT). Default: 1.</summary>
    public int SequentialSftEpochs { get; set; } = 1;

    /// <summary>Sequential: which objective first. Default: <see cref="SequentialOrder.DpoThenSft"/>.</summary>
    public SequentialOrder SequentialOrder { get; set; } = SequentialOrder.DpoThenSft;

    /// <summary>Memory-efficient MAXRIGHT: steps between evaluations of both objectives (k ≥ 1). Default: 10.</summary>
    public int MaxRightEvaluationInterval { get; set; } = 10;

    /// <summary>f*_DPO, the best reachable DPO value; null when unknown.</summary>
    public double? DpoOptimum { get; set; }

    /// <summary>f*_SFT, the best reachable SFT value; null when unknown.</summary>
    public double? SftOptimum { get; set; }

    /// <summary>
    /// When MAXRIGHT needs an unknown f*: estimate it by a single-objective run with the same budget
    /// (true), or fail (false). Default: true.
    /// </summary>
    public bool EstimateMissingOptimum { get; set; } = true;

    /// <summary>Peak learning rate (> 0). Default: 5e-5.</summary>
    public double LearningRate { get; set; } = 5e-5;

    /// <summary>Learning-rate schedule. Default: constant.</summary>
    public LearningRateScheduleKind Schedule { get; set; } = LearningRateScheduleKind.Constant;

    /// <summary>Warm-up steps of <see cref="LearningRateScheduleKind.WarmupCosine"/>. Default: 0.</summary>
    public int WarmupSteps { get; set; }

    /// <summary>AdamW β1. Default: 0.9.</summary>
    public double AdamBeta1 { get; set; } = 0.9;

    /// <summary>AdamW β2. Default: 0.95.</summary>
    public double AdamBeta2 { get; set; } = 0.95;

    /// <summary>AdamW ε. Default: 1e-8.</summary>
    public double AdamEpsilon { get; set; } = 1e-8;

    /// <summary>Decoupled weight decay. Default: 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Global gradient-norm limit; 0 disables clipping. Default: 1.0.</summary>
    public double MaxGradNorm { get; set; } = 1.0;

    /// <summary>Micro-batches per optimizer step. Default: 1.</summary>
    public int GradientAccumulationSteps { get; set; } = 1;

    /// <summary>Instruction rows per micro-batch. Default: 12.</summary>
    public int SftBatchSize { get; set; } = 12;

    /// <summary>Preference pairs per micro-batch. Default: 4.</summary>
    public int DpoBatchSize { get; set; } = 4;

    /// <summary>Put rows of similar length in the same batch to cut padding. Default: true.</summary>
    public bool GroupByLength { get; set; } = true;

    /// <summary>Stop after this many optimizer steps even if the epochs are not done; null for no cap.</summary>
    public int? MaxSteps { get; set; }

    /// <summary>Evaluate the held-out objectives after step 1 and every this many steps (and at the end). Default: 100.</summary>
    public int EvaluationInterval { get; set; } = 100;

    /// <summary>Share of each training set held out when no evaluation set is given. Default: 0.03.</summary>
    public double EvaluationFraction { get; set; } = 0.03;

    /// <summary>Rows per evaluation batch. Default: 16.</summary>
    public int EvaluationBatchSize { get; set; } = 16;

    /// <summary>
    /// Stop a joint run when a held-out optimality gap (f − f*, with f* known) falls to this (Sequential
    /// runs are not stopped: their phases reach one optimum by design). Default: 1e-4 (the reference code's).
    /// </summary>
    public double StopGap { get; set; } = 1e-4;

    /// <summary>Stop when the held-out point weakly dominates this (f_DPO, f_SFT) point; null to disable.</summary>
    public (double Dpo, double Sft)? StopWhenDominating { get; set; }

    /// <summary>Folder for checkpoints; null for none.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Write a checkpoint every this many steps (0: only at the end). Default: 0.</summary>
    public int CheckpointInterval { get; set; }

    /// <summary>How many checkpoints to keep (the newest). Default: 2.</summary>
    public int KeepCheckpoints { get; set; } = 2;

    /// <summary>A checkpoint folder to resume from; null to start fresh.</summary>
    public string? ResumeFrom { get; set; }

    /// <summary>The DPO reference policy. Default: SFT on the chosen responses, cached in memory.</summary>
    public ReferenceOptions Reference { get; set; } = new();

    /// <summary>LoRA adapters to train instead of all weights; null for full fine-tuning.</summary>
    public LoraOptions? Lora { get; set; }

    /// <summary><c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (a GPU when usable, else the CPU). Default: auto.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>When CUDA is asked for and none is usable: run on the CPU instead of failing. Default: false.</summary>
    public bool AllowCpuFallback { get; set; }

    /// <summary>The one seed behind initialisation, dropout, data order and strategy draws. Default: 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>CPU threads for tensor work; 0 keeps libtorch's default. Default: 0.</summary>
    public int Threads { get; set; }

    /// <summary>The DPO loss settings as the objective takes them.</summary>
    internal DpoLossOptions DpoLoss => new() { Beta = Beta, LossType = DpoLossType, LabelSmoothing = LabelSmoothing };

    /// <summary>The runtime settings as the runtime takes them.</summary>
    internal RuntimeOptions Runtime => new() { Device = Device, AllowCpuFallback = AllowCpuFallback, Seed = Seed, Threads = Threads };

    /// <summary>A shallow copy, so a sweep can vary one option without touching the caller's object.</summary>
    public JointTrainerOptions Clone() => (JointTrainerOptions)MemberwiseClone();

    /// <summary>Checks every option; throws naming the option and its value.</summary>
    public virtual void Validate()
    {
        static void Require(bool ok, string name, object value, string rule)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"JointTrainerOptions.{name} {rule}, found {value}.");
        }
        Require(Enum.IsDefined(Strategy), nameof(Strategy), Strategy, "must be a known strategy");
        Require(Lambda is >= 0 and <= 1, nameof(Lambda), Lambda, "must be in [0, 1]");
        Require(Beta > 0 && double.IsFinite(Beta), nameof(Beta), Beta, "must be positive");
        Require(Enum.IsDefined(DpoLossType), nameof(DpoLossType), DpoLossType, "must be a known loss type");
        Require(LabelSmoothing is >= 0 and < 0.5, nameof(LabelSmoothing), LabelSmoothing, "must be in [0, 0.5)");
        DpoLoss.Validate();
        Require(Epochs >= 1, nameof(Epochs), Epochs, "must be at least 1");
        Require(SequentialDpoEpochs >= 0, nameof(SequentialDpoEpochs), SequentialDpoEpochs, "must be 0 or more");
        Require(SequentialSftEpochs >= 0, nameof(SequentialSftEpochs), SequentialSftEpochs, "must be 0 or more");
        Require(SequentialDpoEpochs + SequentialSftEpochs >= 1, nameof(SequentialSftEpochs), SequentialSftEpochs, "plus SequentialDpoEpochs must be at least 1");
        Require(MaxRightEvaluationInterval >= 1, nameof(MaxRightEvaluationInterval), MaxRightEvaluationInterval, "(k) must be at least 1");
        Require(DpoOptimum is null || double.IsFinite(DpoOptimum.Value), nameof(DpoOptimum), DpoOptimum!, "must be finite");
        Require(SftOptimum is null || double.IsFinite(SftOptimum.Value), nameof(SftOptimum), SftOptimum!, "must be finite");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be positive");
        Require(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "must be a known schedule");
        Require(WarmupSteps >= 0, nameof(WarmupSteps), WarmupSteps, "must be 0 or more");
        Require(AdamBeta1 is >= 0 and < 1, nameof(AdamBeta1), AdamBeta1, "must be in [0, 1)");
        Require(AdamBeta2 is >= 0 and < 1, nameof(AdamBeta2), AdamBeta2, "must be in [0, 1)");
        Require(AdamEpsilon > 0, nameof(AdamEpsilon), AdamEpsilon, "must be positive");
        Require(WeightDecay >= 0, nameof(WeightDecay), WeightDecay, "must be 0 or more");
        Require(MaxGradNorm >= 0, nameof(MaxGradNorm), MaxGradNorm, "must be 0 or more");
        Require(GradientAccumulationSteps >= 1, nameof(GradientAccumulationSteps), GradientAccumulationSteps, "must be at least 1");
        Require(SftBatchSize >= 1, nameof(SftBatchSize), SftBatchSize, "must be at least 1");
        Require(DpoBatchSize >= 1, nameof(DpoBatchSize), DpoBatchSize, "must be at least 1");
        Require(MaxSteps is null or >= 1, nameof(MaxSteps), MaxSteps!, "must be at least 1");
        Require(EvaluationInterval >= 1, nameof(EvaluationInterval), EvaluationInterval, "must be at least 1");
        Require(EvaluationFraction is > 0 and < 1, nameof(EvaluationFraction), EvaluationFraction, "must be in (0, 1)");
        Require(EvaluationBatchSize >= 1, nameof(EvaluationBatchSize), EvaluationBatchSize, "must be at least 1");
        Require(StopGap >= 0, nameof(StopGap), StopGap, "must be 0 or more");
        Require(CheckpointInterval >= 0, nameof(CheckpointInterval), CheckpointInterval, "must be 0 or more");
        Require(KeepCheckpoints >= 1, nameof(KeepCheckpoints), KeepCheckpoints, "must be at least 1");
        ArgumentNullException.ThrowIfNull(Reference, nameof(Reference));
        Require(Enum.IsDefined(Reference.Kind), "Reference.Kind", Reference.Kind, "must be a known kind");
        Require(Reference.TrainingEpochs >= 1, "Reference.TrainingEpochs", Reference.TrainingEpochs, "must be at least 1");
        if (Reference.Kind == ReferenceModelKind.Folder && string.IsNullOrWhiteSpace(Reference.Folder))
            throw new ArgumentException("JointTrainerOptions.Reference.Folder must name a model folder when Reference.Kind is Folder.");
        if (ResumeFrom is not null && !Directory.Exists(ResumeFrom))
            throw new DirectoryNotFoundException($"JointTrainerOptions.ResumeFrom: checkpoint folder '{ResumeFrom}' does not exist.");
        ArgumentException.ThrowIfNullOrWhiteSpace(Device, nameof(Device));
        Require(Threads >= 0, nameof(Threads), Threads, "must be 0 or more");
    }

    /// <summary>True when the strategy steps on SFT at all.</summary>
    internal bool UsesSft => Strategy != JointStrategy.Sequential || SequentialSftEpochs > 0;

    /// <summary>True when the strategy steps on DPO at all.</summary>
    internal bool UsesDpo => Strategy != JointStrategy.Sequential || SequentialDpoEpochs > 0;
}
