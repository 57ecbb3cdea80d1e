using XRight.Runtime;

namespace XRight.Training.Strategies;

/// <summary>
/// ALRIGHT (Algorithm 2): each step draws <c>i ~ Bernoulli(λ)</c> from a seeded generator and updates
/// on DPO when <c>i = 1</c>, on SFT otherwise. In expectation this optimises <c>f_Mix,λ</c> at the cost
/// of one objective per step.
/// </summary>
public sealed class AlrightStrategy : IJointStrategy
{
    private readonly double _lambda;
    private readonly SeededRandom _random;

    /// <summary>An ALRIGHT run of <paramref name="totalSteps"/> steps.</summary>
    /// <param name="lambda">Probability λ ∈ [0, 1] of a DPO step.</param>
    /// <param name="totalSteps">Optimizer steps of the run (at least 1).</param>
    /// <param name="seed">Seed of the draws; the same seed gives the same sequence of objectives.</param>
    /// <exception cref="ArgumentOutOfRangeException">λ outside [0, 1] or fewer than one step.</exception>
    public AlrightStrategy(double lambda, int totalSteps, long seed)
    {
        _lambda = StrategyArguments.Lambda(lambda);
        TotalSteps = StrategyArguments.Positive(totalSteps, nameof(totalSteps));
        _random = new SeededRandom(seed);
    }

    /// <inheritdoc />
    public string Name => $"ALRIGHT(λ={StrategyArguments.Format(_lambda)})";

    /// <inheritdoc />
    public int TotalSteps { get; }

    /// <inheritdoc />
    public EvaluationNeed Need(int step)
    {
        StrategyArguments.Step(step, TotalSteps);
        return EvaluationNeed.None;
    }

    /// <inheritdoc />
    /// <remarks>Draws once per call, so each step must be decided exactly once.</remarks>
    public StepDecision Decide(int step, ObjectivePair? values)
    {
        StrategyArguments.Step(step, TotalSteps);
        return _random.NextBernoulli(_lambda) ? StepDecision.Dpo : StepDecision.Sft;
    }

    /// <inheritdoc />
    /// <remarks>ALRIGHT's choice does not depend on the losses, so observations are only checked.</remarks>
    public void Observe(ObjectiveKind objective, double batchLoss) => StrategyArguments.Loss(batchLoss, objective, this);

    /// <inheritdoc />
    public StrategyState SaveState() => new(_random.State, []);

    /// <inheritdoc />
    public void LoadState(StrategyState state)
    {
        StrategyArguments.StateShape(state, 4, 0, this);
        _random.State = state.Random;
    }
}
