using System.Diagnostics.CodeAnalysis;
using XRight.Training;

namespace XRight.MLNet;

/// <summary>
/// What training did, kept with the fitted model (and in its zip): the <see cref="TrainingRunSummary"/> of the
/// run plus how the stage read its rows.
/// </summary>
public sealed record TrainingSummary : TrainingRunSummary
{
    /// <summary>An empty summary, for deserialization; every required member must be set.</summary>
    public TrainingSummary() { }

    /// <summary>The run's summary with the reports of how its rows were read.</summary>
    [SetsRequiredMembers]
    internal TrainingSummary(TrainingRunSummary run, string instructionData, string preferenceData) : base(run)
    {
        InstructionData = instructionData;
        PreferenceData = preferenceData;
    }

    /// <summary>How the instruction rows were read (kept, skipped and why).</summary>
    public required string InstructionData { get; init; }

    /// <summary>How the preference rows were read.</summary>
    public required string PreferenceData { get; init; }
}
