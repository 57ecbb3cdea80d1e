using XRight.Training;

namespace XRight.Toy;

/// <summary>The recorded trajectory of one strategy on a toy problem.</summary>
/// <param name="Strategy">The strategy's display name.</param>
/// <param name="Points">The start and the recorded states after steps, in order; the last is the final state.</param>
public sealed record ToyRun(string Strategy, IReadOnlyList<ToyTrajectoryPoint> Points)
{
    /// <summary>The state after the last step.</summary>
    public ToyTrajectoryPoint Final => Points[^1];

    /// <summary>Recorded steps that updated <paramref name="objective"/> alone (all such steps when every step was recorded).</summary>
    public int StepsOn(ObjectiveKind objective) => Points.Count(p => p.Stepped == objective);
}
