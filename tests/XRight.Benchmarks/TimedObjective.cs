using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Benchmarks;

/// <summary>
/// Steps on one objective until the clock has measured enough: at least <paramref name="minSteps"/> steps
/// after the warm-up and <paramref name="minSeconds"/> of them, at most <paramref name="maxSteps"/> in all.
/// </summary>
internal sealed class TimedObjective(ObjectiveKind objective, StepClock clock, int minSteps, int maxSteps, double minSeconds) : IJointStrategy
{
    public string Name => $"timed {objective}";

    public int TotalSteps => maxSteps;

    public bool IsComplete(int step) =>
        step >= maxSteps || (clock.MeasuredSeconds.Count >= minSteps && clock.MeasuredTotal >= minSeconds);

    public EvaluationNeed Need(int step) => EvaluationNeed.None;

    public StepDecision Decide(int step, ObjectiveValues? values) => objective == ObjectiveKind.Dpo ? StepDecision.Dpo : StepDecision.Sft;

    public void Observe(ObjectiveKind kind, double batchLoss) { }

    public StrategyState SaveState() => new([], []);

    public void LoadState(StrategyState state) { }
}
