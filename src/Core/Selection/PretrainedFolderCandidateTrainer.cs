using XRight.Text;
using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// Trains a sweep candidate with <see cref="JointTrainer"/> and saves it as a Hugging Face folder
/// (<see cref="Modeling.CausalLm.SavePretrained"/>: LoRA merged), with the tokenizer's files when one is given.
/// </summary>
/// <param name="tokenizer">The tokenizer to save beside each model, or null.</param>
public sealed class PretrainedFolderCandidateTrainer(CausalLmTokenizer? tokenizer = null) : ISweepCandidateTrainer
{
    /// <summary>Models are folders: "".</summary>
    public string ModelSuffix => "";

    /// <inheritdoc />
    public TrainingRunSummary Train(SweepCandidateRun run, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var result = new JointTrainer(run.Options).Train(run.Inputs.CreateModel, run.Inputs.Data, progress, cancellationToken);
        using var model = result.Model;
        model.SavePretrained(run.ModelPath, tokenizer);
        return result.Summary;
    }
}
