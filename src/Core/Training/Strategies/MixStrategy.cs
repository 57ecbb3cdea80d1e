namespace XRight.Training.Strategies;

/// <summary>
/// The Mix baseline: every step updates on <c>λ·f_DPO(batch) + (1−λ)·f_SFT(batch)</c>, so both graphs are
/// alive at once (the costly baseline the alternating strategies avoid).
/// </summary>
public sealed class MixStrategy : IJointStrategy
{
    private readonly double _lambda;

    /// <summary>A Mix run of <paramref name="totalSteps"/> steps.</summary>
    /// <param name="lambda">Weight λ ∈ [0, 1] of the DPO objective.</param>
    /// <param name="totalSteps">Optimizer steps of the run (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ outside [0, 1] or fewer than one step.</exception>
    public MixStrategy(double lambda, int totalSteps)
    {
        _lambda = StrategyArguments.Lambda(lambda);
        TotalSteps = StrategyArguments.Positive(totalSteps, nameof(totalSteps));
    }

    /// <inheritdoc />
    public string Name => $"Mix(λ={StrategyArguments.Format(_lambda)})";

    /// <inheritdoc />
    public int TotalSteps { get; }

    /// <inheritdoc />
    public EvaluationNeed Need(int step)
    {
        StrategyArguments.Step(step, TotalSteps);
        return EvaluationNeed.BothWithGraph;
    }

    /// <inheritdoc />
    public StepDecision Decide(int step, ObjectivePair? values)
    {
        StrategyArguments.Step(step, TotalSteps);
        return new StepDecision(_lambda, 1 - _lambda);
    }

    /// <inheritdoc />
    /// <remarks>Mix weights do not depend on the losses, so observations are only checked.</remarks>
    public void Observe(ObjectiveKind objective, double batchLoss) => StrategyArguments.Loss(batchLoss, objective, this);

    /// <inheritdoc />
    public StrategyState SaveState() => new([], []);

    /// <inheritdoc />
    public void LoadState(StrategyState state) => StrategyArguments.StateShape(state, 0, 0, this);
}
