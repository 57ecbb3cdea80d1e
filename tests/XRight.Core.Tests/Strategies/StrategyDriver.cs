using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Tests.Strategies;

/// <summary>
/// Drives a strategy through the per-step protocol with synthetic batch losses that depend only on the
/// step, so two strategies fed the same steps see the same numbers.
/// </summary>
internal static class StrategyDriver
{
    public static ObjectivePair LossesAt(int step) => new(0.6 + 0.4 * Math.Sin(0.7 * step), 0.5 + 0.3 * Math.Cos(1.3 * step));

    /// <summary>Decides steps [from, to) and returns the decisions.</summary>
    public static List<StepDecision> Drive(IJointStrategy strategy, int from, int to)
    {
        var decisions = new List<StepDecision>();
        for (int step = from; step < to && !strategy.IsComplete(step); step++)
        {
            var losses = LossesAt(step);
            var need = strategy.Need(step);
            var decision = strategy.Decide(step, need == EvaluationNeed.None ? null : losses);
            if (decision.UsesDpo || need == EvaluationNeed.BothWithGraph) strategy.Observe(ObjectiveKind.Dpo, losses.Dpo);
            if (decision.UsesSft || need == EvaluationNeed.BothWithGraph) strategy.Observe(ObjectiveKind.Sft, losses.Sft);
            decisions.Add(decision);
        }
        return decisions;
    }
}
