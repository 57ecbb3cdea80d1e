using XRight.Modeling;

namespace XRight.Training;

/// <summary>What a run produced: the trained policy and the <see cref="TrainingRunSummary"/> of the run.</summary>
public sealed class JointTrainingResult
{
    internal JointTrainingResult(CausalLm model, TrainingRunSummary summary)
    {
        Model = model;
        Summary = summary;
    }

    /// <summary>The trained policy (with its LoRA adapters when LoRA was used). The caller owns it.</summary>
    public CausalLm Model { get; }

    /// <summary>Strategy, steps, resources, stop reason, final held-out metrics, f* and trajectory of the run.</summary>
    public TrainingRunSummary Summary { get; }
}
