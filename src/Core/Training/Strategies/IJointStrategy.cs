namespace XRight.Training.Strategies;

/// <summary>
/// Answers one question per optimizer step: which objective(s) to update, given the step index, λ,
/// a seeded generator and the latest objective values. Used identically by the language-model
/// trainer and by the closed-form toy problems.
/// </summary>
/// <remarks>
/// Per step the loop stops when <see cref="IsComplete"/> says so, else calls <see cref="Need"/>, computes
/// what it asks for, calls <see cref="Decide"/> with those values (null when <see cref="EvaluationNeed.None"/>),
/// performs the update, and then calls <see cref="Observe"/> for each objective whose batch loss it
/// computed with a graph in that step (the values before the update). Steps are decided in order,
/// each once.
/// </remarks>
public interface IJointStrategy
{
    /// <summary>A short display name, for example "ALRIGHT(λ=0.5)".</summary>
    string Name { get; }

    /// <summary>Total optimizer steps of the run (an upper bound when the strategy can stop early).</summary>
    int TotalSteps { get; }

    /// <summary>
    /// True when the run ends before step <paramref name="step"/> (0-based). By default that is when
    /// <paramref name="step"/> reaches <see cref="TotalSteps"/>; a strategy that stops early (a Sequential
    /// phase whose objective fell below its threshold) ends sooner.
    /// </summary>
    bool IsComplete(int step) => step >= TotalSteps;

    /// <summary>What must be evaluated before deciding step <paramref name="step"/> (0-based).</summary>
    EvaluationNeed Need(int step);

    /// <summary>Decides step <paramref name="step"/>; <paramref name="values"/> holds what <see cref="Need"/> asked for.</summary>
    StepDecision Decide(int step, ObjectivePair? values);

    /// <summary>Reports a batch loss the step computed (before its update).</summary>
    void Observe(ObjectiveKind objective, double batchLoss);

    /// <summary>The strategy's mutable state (generator, stored values, phase), for checkpoints.</summary>
    StrategyState SaveState();

    /// <summary>Restores a state from <see cref="SaveState"/>.</summary>
    void LoadState(StrategyState state);
}
