namespace XRight.Selection;

/// <summary>One metric of a method A and of its baseline B, for the overall improvement ∆m%.</summary>
/// <param name="Name">The metric's name, used in error messages.</param>
/// <param name="Value">S_A,m: the metric of the method under evaluation.</param>
/// <param name="Baseline">S_B,m: the metric of the baseline (must not be zero).</param>
/// <param name="LowerIsBetter">True for losses and harmful-compliance rates (ℓ_m = 1 in the paper).</param>
public readonly record struct MetricComparison(string Name, double Value, double Baseline, bool LowerIsBetter);
