namespace XRight.Training.Strategies;

/// <summary>
/// Memory-efficient MAXRIGHT (the paper's Algorithm 4): both batch objectives are evaluated without a
/// graph only every <c>k</c> steps; in between, the choice is the argmax of stored (stale) weighted gaps,
/// and each step refreshes only the stored value of the objective it updated.
/// </summary>
/// <remarks>
/// Step 0 (and any step after a restore without stored values) asks for an evaluation, so the first
/// decision has both values. After a step the loop reports the chosen objective's batch loss, computed
/// before the update, through <see cref="Observe"/>. Ties go to SFT, as in <see cref="MaxRightStrategy"/>;
/// with <c>k = 1</c> the decisions are those of the full version.
/// </remarks>
public sealed class MemoryEfficientMaxRightStrategy : IJointStrategy
{
    private readonly double _lambda;
    private readonly ObjectivePair _optimum;
    private readonly int _evaluationInterval;
    private ObjectivePair? _stored;

    /// <summary>A memory-efficient MAXRIGHT run of <paramref name="totalSteps"/> steps.</summary>
    /// <param name="lambda">Weight λ ∈ [0, 1] of the DPO gap.</param>
    /// <param name="totalSteps">Optimizer steps of the run (at least 1).</param>
    /// <param name="optimum">The optimal values <c>(f*_DPO, f*_SFT)</c>, the ideal point (0 when unknown).</param>
    /// <param name="evaluationInterval">Steps between evaluations of both objectives, <c>k</c> (at least 1; the paper uses 10).</param>
    /// <exception cref="ArgumentOutOfRangeException">λ outside [0, 1], fewer than one step, k &lt; 1, or a non-finite optimum.</exception>
    public MemoryEfficientMaxRightStrategy(double lambda, int totalSteps, ObjectivePair optimum, int evaluationInterval = 10)
    {
        _lambda = StrategyArguments.Lambda(lambda);
        TotalSteps = StrategyArguments.Positive(totalSteps, nameof(totalSteps));
        _optimum = StrategyArguments.Optimum(optimum, nameof(optimum));
        _evaluationInterval = StrategyArguments.Positive(evaluationInterval, nameof(evaluationInterval));
    }

    /// <inheritdoc />
    public string Name => $"MAXRIGHT(λ={StrategyArguments.Format(_lambda)}, k={_evaluationInterval})";

    /// <inheritdoc />
    public int TotalSteps { get; }

    /// <inheritdoc />
    public EvaluationNeed Need(int step)
    {
        StrategyArguments.Step(step, TotalSteps);
        return step % _evaluationInterval == 0 || _stored is null ? EvaluationNeed.BothWithoutGraph : EvaluationNeed.None;
    }

    /// <inheritdoc />
    /// <remarks>Values passed on a step that did not ask for them are stored too: they are only fresher.</remarks>
    /// <exception cref="ArgumentNullException">The step needs an evaluation and <paramref name="values"/> is null.</exception>
    public StepDecision Decide(int step, ObjectivePair? values)
    {
        if (Need(step) != EvaluationNeed.None || values is not null)
            _stored = StrategyArguments.Values(values, step, this);
        return MaxRightRule.Choose(_lambda, _optimum, _stored!.Value);
    }

    /// <inheritdoc />
    /// <remarks>Replaces the stored value of <paramref name="objective"/> only.</remarks>
    /// <exception cref="InvalidOperationException">Called before any step was decided.</exception>
    public void Observe(ObjectiveKind objective, double batchLoss)
    {
        StrategyArguments.Loss(batchLoss, objective, this);
        if (_stored is not { } stored)
            throw new InvalidOperationException($"{Name} received a {objective} loss before its first decision; decide a step first.");
        _stored = objective == ObjectiveKind.Dpo ? stored with { Dpo = batchLoss } : stored with { Sft = batchLoss };
    }

    /// <inheritdoc />
    /// <remarks>Values: <c>[has stored values (0 or 1), stored f_DPO, stored f_SFT]</c>.</remarks>
    public StrategyState SaveState() =>
        _stored is { } s ? new([], [1, s.Dpo, s.Sft]) : new([], [0, 0, 0]);

    /// <inheritdoc />
    public void LoadState(StrategyState state)
    {
        StrategyArguments.StateShape(state, 0, 3, this);
        var v = state.Values;
        _stored = v[0] switch
        {
            0 => null,
            1 when double.IsFinite(v[1]) && double.IsFinite(v[2]) => new ObjectivePair(v[1], v[2]),
            1 => throw new ArgumentException($"{Name} state holds non-finite stored values: f_DPO = {StrategyArguments.Format(v[1])}, f_SFT = {StrategyArguments.Format(v[2])}.", nameof(state)),
            _ => throw new ArgumentException($"{Name} state flag must be 0 or 1; found {StrategyArguments.Format(v[0])}.", nameof(state)),
        };
    }
}
