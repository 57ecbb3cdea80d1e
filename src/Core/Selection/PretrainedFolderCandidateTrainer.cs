using XRight.Text;
using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// Trains a sweep candidate with <see cref="JointTrainer"/> and saves it as a Hugging Face folder
/// (<see cref="Modeling.CausalLm.SavePretrained"/>: LoRA merged), with the tokenizer's files when one is given;
/// loads such a folder back for the sweep's benchmarks.
/// </summary>
/// <param name="tokenizer">The tokenizer to save beside each model, or null.</param>
public sealed class PretrainedFolderCandidateTrainer(CausalLmTokenizer? tokenizer = null) : ISweepCandidateTrainer, ISweepModelLoader
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

    /// <summary>The folder's model, with the tokenizer this trainer was given (else the folder's own tokenizer files).</summary>
    /// <exception cref="InvalidOperationException">No tokenizer was given and the folder has none.</exception>
    public SweepModel Load(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        CausalLmTokenizer loadedTokenizer;
        try
        {
            loadedTokenizer = tokenizer ?? CausalLmTokenizer.FromPretrained(modelPath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            throw new InvalidOperationException($"The candidate folder '{modelPath}' has no tokenizer the benchmarks could use; give PretrainedFolderCandidateTrainer the tokenizer ({e.Message}).", e);
        }
        var model = Modeling.CausalLm.FromPretrained(modelPath);
        model.eval();
        return new SweepModel(model, loadedTokenizer, model);
    }
}
