namespace XRight.Selection;

/// <summary>See <see cref="SelectionRule.MinIdealDistance"/>.</summary>
internal sealed class MinIdealDistanceRule : SelectionRule
{
    public override string Description => "minimum ideal distance";

    public override double Score(SelectionCandidate candidate, IdealPoint ideal) => ideal.DistanceTo(candidate.FDpo, candidate.FSft);
}
