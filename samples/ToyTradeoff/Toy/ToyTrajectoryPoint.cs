using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Toy;

/// <summary>
/// The toy state after a step: both objectives on the full data and the parameters, for plots in the
/// objective space and in the parameter space (the paper's Figure 2).
/// </summary>
/// <param name="Step">Steps taken (0 = the start).</param>
/// <param name="Stepped">The objective the step updated; null for the start and for Mix steps (both).</param>
/// <param name="FDpo">f_DPO after the step.</param>
/// <param name="FSft">f_SFT after the step.</param>
/// <param name="Theta">θ after the step.</param>
public sealed record ToyTrajectoryPoint(int Step, ObjectiveKind? Stepped, double FDpo, double FSft, IReadOnlyList<double> Theta)
{
    /// <summary>Distance to the ideal point, <c>√((f_DPO − f*_DPO)² + (f_SFT − f*_SFT)²)</c>.</summary>
    public double IdealDistance(ObjectivePair idealPoint) => Math.Sqrt(Math.Pow(FDpo - idealPoint.Dpo, 2) + Math.Pow(FSft - idealPoint.Sft, 2));

    /// <summary><c>f_Mix,λ = λ f_DPO + (1−λ) f_SFT</c>.</summary>
    public double Mix(double lambda) => lambda * FDpo + (1 - lambda) * FSft;
}
