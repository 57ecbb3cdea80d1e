using XRight.Training;

namespace XRight.Selection;

/// <summary>What an <see cref="ISweepCandidateTrainer"/> gets for one candidate.</summary>
public sealed record SweepCandidateRun
{
    /// <summary>The candidate.</summary>
    public required SweepCandidatePlan Candidate { get; init; }

    /// <summary>
    /// The options to train with: the candidate's, with the sweep's f*, its checkpoint folder and the checkpoint
    /// to resume from. Of the runtime type of <see cref="SweepInputs.Options"/> (options records are copied with <c>with</c>).
    /// </summary>
    public required JointTrainerOptions Options { get; init; }

    /// <summary>The sweep's shared inputs: data, model factory, model identity.</summary>
    public required SweepInputs Inputs { get; init; }

    /// <summary>
    /// Where to save the trained model (a file or a folder, ending with <see cref="ISweepCandidateTrainer.ModelSuffix"/>).
    /// The path is a staging one; the sweep moves the model into place once the trainer returns.
    /// </summary>
    public required string ModelPath { get; init; }
}
