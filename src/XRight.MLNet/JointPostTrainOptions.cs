using XRight.Modeling;
using XRight.Modeling.Generation;
using XRight.Text;
using XRight.Training;

namespace XRight.MLNet;

/// <summary>
/// Options of <c>mlContext.PostTraining.JointPostTrain</c>: where the model comes from, which columns
/// hold the data, how the fitted model generates, and every training option of
/// <see cref="JointTrainerOptions"/> (strategy, λ, β, epochs, LoRA, optimizer, reference, device, ...).
/// </summary>
public sealed class JointPostTrainOptions : JointTrainerOptions
{
    /// <summary>A local Hugging Face model folder to start from (config.json, safetensors, tokenizer files).</summary>
    public string? BaseModel { get; set; }

    /// <summary>A configuration to start from freshly initialised weights (seeded), when there is no <see cref="BaseModel"/>.</summary>
    public CausalLmConfig? BaseModelConfig { get; set; }

    /// <summary>Weight type of the policy; losses and log-probs are always float32. Default: float32.</summary>
    public ModelDtype Dtype { get; set; } = ModelDtype.Float32;

    /// <summary>
    /// The tokenizer the data was tokenized with; it is stored in the model zip and decodes generated text.
    /// Default: read from <see cref="BaseModel"/>.
    /// </summary>
    public CausalLmTokenizer? Tokenizer { get; set; }

    /// <summary>Column that says which data set a row belongs to ("sft" or "dpo"); optional, see <c>CombineData</c>. Default: Kind.</summary>
    public string KindColumnName { get; set; } = PostTrainingColumns.Kind;

    /// <summary>Prompt text column. Default: Prompt.</summary>
    public string PromptColumnName { get; set; } = PostTrainingColumns.Prompt;

    /// <summary>Response text column of instruction rows. Default: Response.</summary>
    public string ResponseColumnName { get; set; } = PostTrainingColumns.Response;

    /// <summary>Chosen-answer text column of preference rows. Default: Chosen.</summary>
    public string ChosenColumnName { get; set; } = PostTrainingColumns.Chosen;

    /// <summary>Rejected-answer text column of preference rows. Default: Rejected.</summary>
    public string RejectedColumnName { get; set; } = PostTrainingColumns.Rejected;

    /// <summary>Boolean column from <c>TokenizeForCausalLm</c>: false for rows that do not fit. Default: TokensFit.</summary>
    public string FitsColumnName { get; set; } = "TokensFit";

    /// <summary>Throw at the first row with empty text, chosen == rejected or too many tokens, instead of skipping and counting it. Default: false.</summary>
    public bool StrictData { get; set; }

    /// <summary>How the fitted model generates the Response column (overridable on the transformer). Default: greedy, 128 new tokens.</summary>
    public GenerationOptions Generation { get; set; } = new();

    /// <summary>Receives a report after every optimizer step (in addition to MLContext.Log at each evaluation).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Stops training between steps.</summary>
    public CancellationToken CancellationToken { get; set; }

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
        foreach (var (name, value) in new[] { (nameof(KindColumnName), KindColumnName), (nameof(PromptColumnName), PromptColumnName),
                     (nameof(ResponseColumnName), ResponseColumnName), (nameof(ChosenColumnName), ChosenColumnName),
                     (nameof(RejectedColumnName), RejectedColumnName), (nameof(FitsColumnName), FitsColumnName) })
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"JointPostTrainOptions.{name} must name a column.");
    }

    /// <summary>A shallow copy.</summary>
    public new JointPostTrainOptions Clone() => (JointPostTrainOptions)MemberwiseClone();
}
