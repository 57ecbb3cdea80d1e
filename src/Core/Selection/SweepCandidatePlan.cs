using XRight.Training;

namespace XRight.Selection;

/// <summary>One candidate of a <see cref="ParetoSweep"/>, before training.</summary>
/// <param name="Name">A name unique within the sweep, for example "ALRIGHT λ=0.5" or "Sequential (2,4)".</param>
/// <param name="Slug">A file-safe form of the name; the candidate's files in the working directory are named after it.</param>
/// <param name="Strategy">The strategy family, for example "ALRIGHT" or "MAXRIGHT k=10" (<see cref="SelectionCandidate.Strategy"/>).</param>
/// <param name="Lambda">λ of a joint candidate; null for a Sequential baseline.</param>
/// <param name="Sequential">The epoch split of a Sequential baseline; null for a joint candidate.</param>
/// <param name="Options">The base options with this candidate's strategy, λ or split (f* and checkpoints are added at training time).</param>
public sealed record SweepCandidatePlan(string Name, string Slug, string Strategy, double? Lambda, SequentialSchedule? Sequential, JointTrainerOptions Options)
{
    /// <summary>The training budget in epochs (T_DPO + T_SFT for a Sequential baseline).</summary>
    public int Epochs => Sequential?.TotalEpochs ?? Options.Strategy.Epochs;
}
