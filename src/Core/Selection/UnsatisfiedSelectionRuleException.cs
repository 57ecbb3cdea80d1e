using System.Globalization;

namespace XRight.Selection;

/// <summary>Thrown when no candidate of a sweep satisfies a constrained selection rule.</summary>
public sealed class UnsatisfiedSelectionRuleException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="rule"/> and the candidate that came closest.</summary>
    /// <param name="rule">The rule's description.</param>
    /// <param name="closest">The candidate with the smallest violation.</param>
    /// <param name="violation">By how much <paramref name="closest"/> misses the constraint.</param>
    public UnsatisfiedSelectionRuleException(string rule, SelectionCandidate closest, double violation)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"No candidate satisfies the selection rule '{rule}'. The closest is '{closest.Name}' (f_DPO = {closest.FDpo}, f_SFT = {closest.FSft}), which misses the constraint by {violation}."))
    {
        Rule = rule;
        ClosestCandidate = closest.Name;
        Violation = violation;
    }

    /// <summary>The rule's description.</summary>
    public string Rule { get; }

    /// <summary>The name of the candidate with the smallest violation.</summary>
    public string ClosestCandidate { get; }

    /// <summary>By how much the closest candidate misses the constraint.</summary>
    public double Violation { get; }
}
