using XRight.Modeling;
using XRight.Modeling.Generation;
using XRight.Text;
using XRight.Training;

namespace XRight.MLNet;

/// <summary>
/// Options of <c>mlContext.PostTraining.JointPostTrain</c>: where the model comes from, which columns
/// hold the data, how the fitted model generates, and the training option records of
/// <see cref="JointTrainerOptions"/> (strategy, DPO loss, optimizer, batches, evaluation, checkpoints,
/// reference, LoRA, runtime). Progress and cancellation are not options: they come with the run.
/// </summary>
public sealed record JointPostTrainOptions : JointTrainerOptions
{
    /// <summary>A local Hugging Face model folder to start from (config.json, safetensors, tokenizer files).</summary>
    public string? BaseModel { get; init; }

    /// <summary>A configuration to start from freshly initialised weights (seeded), when there is no <see cref="BaseModel"/>.</summary>
    public CausalLmConfig? BaseModelConfig { get; init; }

    /// <summary>Weight type of the policy; losses and log-probs are always float32. Default: float32.</summary>
    public ModelDtype Dtype { get; init; } = ModelDtype.Float32;

    /// <summary>
    /// The tokenizer the data was tokenized with; it is stored in the model zip and decodes generated text.
    /// Default: read from <see cref="BaseModel"/>.
    /// </summary>
    public CausalLmTokenizer? Tokenizer { get; init; }

    /// <summary>
    /// The columns: text columns (whose token columns <c>TokenizeForCausalLm</c> added), the Kind column
    /// of a combined view ("sft" or "dpo", optional) and the TokensFit column. The fitted model writes
    /// generated text to the Response column. Default: <see cref="PostTrainingColumnNames.Default"/>.
    /// </summary>
    public PostTrainingColumnNames Columns { get; init; } = PostTrainingColumnNames.Default;

    /// <summary>Throw at the first row with empty text, chosen == rejected or too many tokens, instead of skipping and counting it. Default: false.</summary>
    public bool StrictData { get; init; }

    /// <summary>How the fitted model generates the Response column (overridable on the transformer). Default: greedy, 128 new tokens.</summary>
    public GenerationOptions Generation { get; init; } = new();

    /// <summary>Checks these options and the training options; throws naming the option.</summary>
    public override void Validate()
    {
        base.Validate();
        if ((BaseModel is null) == (BaseModelConfig is null))
            throw new ArgumentException("JointPostTrainOptions: set exactly one of BaseModel (a Hugging Face folder) and BaseModelConfig (fresh weights).");
        if (BaseModel is not null && !Directory.Exists(BaseModel))
            throw new DirectoryNotFoundException($"JointPostTrainOptions.BaseModel: folder '{BaseModel}' does not exist.");
        if (Tokenizer is null && BaseModel is null)
            throw new ArgumentException("JointPostTrainOptions.Tokenizer is required when the model starts from BaseModelConfig (there is no folder to read it from).");
        if (!Enum.IsDefined(Dtype)) throw new ArgumentOutOfRangeException(nameof(Dtype), Dtype, "JointPostTrainOptions.Dtype must be a known type.");
        ArgumentNullException.ThrowIfNull(Generation, nameof(Generation));
        ArgumentNullException.ThrowIfNull(Columns, nameof(Columns));
        Columns.Validate("JointPostTrainOptions.Columns");
    }
}
