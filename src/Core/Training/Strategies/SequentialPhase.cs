namespace XRight.Training.Strategies;

/// <summary>One phase of a <see cref="SequentialStrategy"/>: a number of steps on a single objective.</summary>
/// <param name="Objective">The objective every step of the phase updates.</param>
/// <param name="Steps">Maximum steps of the phase (at least 1), e.g. <c>T_DPO</c> epochs × DPO batches per epoch.</param>
/// <param name="StopBelow">
/// Optional early stop: the phase ends after the step whose observed batch loss is below this value
/// (the paper's toy uses 0.05). Null runs the phase for all its steps.
/// </param>
public sealed record SequentialPhase(ObjectiveKind Objective, int Steps, double? StopBelow = null);
