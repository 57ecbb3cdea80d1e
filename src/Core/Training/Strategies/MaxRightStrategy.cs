namespace XRight.Training.Strategies;

/// <summary>
/// MAXRIGHT (Algorithm 3), full version: every step evaluates both batch objectives (graphs kept) and
/// updates the one with the larger weighted optimality gap, DPO iff
/// <c>λ(f_DPO − f*_DPO) &gt; (1−λ)(f_SFT − f*_SFT)</c>, ties to SFT.
/// </summary>
/// <remarks>
/// The paper's Algorithm 3 writes ≥ (ties to DPO); ties to SFT is this library's convention. See
/// <see cref="MemoryEfficientMaxRightStrategy"/> for the variant that evaluates both only every k steps.
/// </remarks>
public sealed class MaxRightStrategy : IJointStrategy
{
    private readonly double _lambda;
    private readonly ObjectivePair _optimum;

    /// <summary>A full MAXRIGHT run of <paramref name="totalSteps"/> steps.</summary>
    /// <param name="lambda">Weight λ ∈ [0, 1] of the DPO gap.</param>
    /// <param name="totalSteps">Optimizer steps of the run (at least 1).</param>
    /// <param name="optimum">The optimal values <c>(f*_DPO, f*_SFT)</c>, the ideal point (0 when unknown).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ outside [0, 1], fewer than one step, or a non-finite optimum.</exception>
    public MaxRightStrategy(double lambda, int totalSteps, ObjectivePair optimum)
    {
        _lambda = StrategyArguments.Lambda(lambda);
        TotalSteps = StrategyArguments.Positive(totalSteps, nameof(totalSteps));
        _optimum = StrategyArguments.Optimum(optimum, nameof(optimum));
    }

    /// <inheritdoc />
    public string Name => $"MAXRIGHT(λ={StrategyArguments.Format(_lambda)})";

    /// <inheritdoc />
    public int TotalSteps { get; }

    /// <inheritdoc />
    public EvaluationNeed Need(int step)
    {
        StrategyArguments.Step(step, TotalSteps);
        return EvaluationNeed.BothWithGraph;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    public StepDecision Decide(int step, ObjectivePair? values)
    {
        StrategyArguments.Step(step, TotalSteps);
        return MaxRightRule.Choose(_lambda, _optimum, StrategyArguments.Values(values, step, this));
    }

    /// <inheritdoc />
    /// <remarks>Every decision uses fresh values, so observations are only checked.</remarks>
    public void Observe(ObjectiveKind objective, double batchLoss) => StrategyArguments.Loss(batchLoss, objective, this);

    /// <inheritdoc />
    public StrategyState SaveState() => new([], []);

    /// <inheritdoc />
    public void LoadState(StrategyState state) => StrategyArguments.StateShape(state, 0, 0, this);
}
