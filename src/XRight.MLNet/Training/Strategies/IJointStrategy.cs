namespace XRight.Training.Strategies;

/// <summary>
/// Answers one question per optimizer step: which objective(s) to update, given the step index, λ,
/// a seeded generator and the latest objective values. Used identically by the language-model
/// trainer and by the closed-form toy problems.
/// </summary>
/// <remarks>
/// Per step the loop calls <see cref="Need"/>, computes what it asks for, calls <see cref="Decide"/>
/// with those values (null when <see cref="EvaluationNeed.None"/>), performs the update, and then
/// calls <see cref="Observe"/> for each objective whose batch loss it computed with a graph in that
/// step (the values before the update).
/// </remarks>
public interface IJointStrategy
{
    /// <summary>A short display name, for example "ALRIGHT(λ=0.5)".</summary>
    string Name { get; }

    /// <summary>Total optimizer steps of the run.</summary>
    int TotalSteps { get; }

    /// <summary>What must be evaluated before deciding step <paramref name="step"/> (0-based).</summary>
    EvaluationNeed Need(int step);

    /// <summary>Decides step <paramref name="step"/>; <paramref name="values"/> holds what <see cref="Need"/> asked for.</summary>
    StepDecision Decide(int step, ObjectiveValues? values);

    /// <summary>Reports a batch loss the step computed (before its update).</summary>
    void Observe(ObjectiveKind objective, double batchLoss);

    /// <summary>The strategy's mutable state (generator, stored values, phase), for checkpoints.</summary>
    StrategyState SaveState();

    /// <summary>Restores a state from <see cref="SaveState"/>.</summary>
    void LoadState(StrategyState state);
}
