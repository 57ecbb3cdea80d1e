using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Benchmarks;

/// <summary>
/// Steps on one objective until the clock has enough undisturbed steps: at least <paramref name="minSteps"/>
/// of them after the warm-up, lasting <paramref name="minSeconds"/> together; at most <paramref name="maxSteps"/> steps in all.
/// </summary>
internal sealed class TimedObjective(ObjectiveKind objective, StepClock clock, int minSteps, int maxSteps, double minSeconds) : IJointStrategy
{
    public string Name => $"timed {objective}";

    public int TotalSteps => maxSteps;

    public bool IsComplete(int step) => step >= maxSteps || Enough(clock, minSteps, minSeconds);

    /// <summary>True when <paramref name="clock"/> holds enough undisturbed steps.</summary>
    public static bool Enough(StepClock clock, int minSteps, double minSeconds)
    {
        var undisturbed = clock.Undisturbed;
        return undisturbed.Count >= minSteps && undisturbed.Sum(s => s.Seconds) >= minSeconds;
    }

    public EvaluationNeed Need(int step) => EvaluationNeed.None;

    public StepDecision Decide(int step, ObjectivePair? values) => objective == ObjectiveKind.Dpo ? StepDecision.Dpo : StepDecision.Sft;

    public void Observe(ObjectiveKind kind, double batchLoss) { }

    public StrategyState SaveState() => new([], []);

    public void LoadState(StrategyState state) { }
}
