using System.Globalization;
using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// Minimises one objective subject to an upper bound on the other; see
/// <see cref="SelectionRule.BestSftWithDpoAtMost"/> and <see cref="SelectionRule.BestDpoWithSftAtMost"/>.
/// </summary>
internal sealed class ConstrainedObjectiveRule : SelectionRule
{
    private readonly ObjectiveKind minimised;
    private readonly double bound;

    /// <param name="minimised">The objective to minimise; the bound applies to the other one.</param>
    /// <param name="bound">The largest allowed value of the other objective.</param>
    public ConstrainedObjectiveRule(ObjectiveKind minimised, double bound)
    {
        if (!double.IsFinite(bound))
            throw new ArgumentOutOfRangeException(nameof(bound), bound, $"The bound on {Label(Other(minimised))} must be a finite number.");
        this.minimised = minimised;
        this.bound = bound;
    }

    public override string Description =>
        string.Create(CultureInfo.InvariantCulture, $"best {Label(minimised)} subject to {Label(Other(minimised))} ≤ {bound}");

    public override double Score(SelectionCandidate candidate, IdealPoint ideal) => Value(candidate, minimised);

    public override double Violation(SelectionCandidate candidate, IdealPoint ideal) => Math.Max(0, Value(candidate, Other(minimised)) - bound);

    private static ObjectiveKind Other(ObjectiveKind kind) => kind == ObjectiveKind.Dpo ? ObjectiveKind.Sft : ObjectiveKind.Dpo;

    private static double Value(SelectionCandidate candidate, ObjectiveKind kind) => kind == ObjectiveKind.Dpo ? candidate.FDpo : candidate.FSft;

    private static string Label(ObjectiveKind kind) => kind == ObjectiveKind.Dpo ? "f_DPO" : "f_SFT";
}
