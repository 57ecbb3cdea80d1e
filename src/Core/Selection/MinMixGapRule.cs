using System.Globalization;

namespace XRight.Selection;

/// <summary>See <see cref="SelectionRule.MinMixGap"/>.</summary>
internal sealed class MinMixGapRule : SelectionRule
{
    private readonly double lambda;

    public MinMixGapRule(double lambda)
    {
        if (!(lambda is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "The target λ of the minimum-G_Mix rule must lie in [0, 1].");
        this.lambda = lambda;
    }

    public override string Description => string.Create(CultureInfo.InvariantCulture, $"minimum G_Mix,λ at λ = {lambda}");

    public override double Score(SelectionCandidate candidate, IdealPoint ideal) => ideal.MixGap(candidate.FDpo, candidate.FSft, lambda);
}
