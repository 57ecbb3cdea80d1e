using System.Text;

namespace XRight.Training.Strategies;

/// <summary>
/// Sequential training (Algorithm 1): ordered phases, each updating one objective for its steps, for
/// example DPO then SFT or SFT then DPO. A phase may stop early once its objective's observed batch
/// loss falls below a threshold; the run ends when the last phase ends.
/// </summary>
public sealed class SequentialStrategy : IJointStrategy
{
    private readonly SequentialPhase[] _phases;
    private int _phase;
    private int _phaseStart;
    private int _lastDecided = -1;
    private bool _stopRequested;

    /// <summary>A Sequential run through <paramref name="phases"/> in order.</summary>
    /// <exception cref="ArgumentException">No phases, or a phase with fewer than one step or a non-finite threshold.</exception>
    public SequentialStrategy(IReadOnlyList<SequentialPhase> phases)
    {
        ArgumentNullException.ThrowIfNull(phases);
        if (phases.Count == 0) throw new ArgumentException("A Sequential strategy needs at least one phase.", nameof(phases));
        for (int i = 0; i < phases.Count; i++)
        {
            var p = phases[i] ?? throw new ArgumentNullException(nameof(phases), $"Sequential phase {i} is null.");
            if (!Enum.IsDefined(p.Objective))
                throw new ArgumentOutOfRangeException(nameof(phases), p.Objective, $"Sequential phase {i} has an unknown objective.");
            if (p.Steps < 1)
                throw new ArgumentOutOfRangeException(nameof(phases), p.Steps, $"Sequential phase {i} ({p.Objective}) must have at least 1 step; found {p.Steps}.");
            if (p.StopBelow is { } t && !double.IsFinite(t))
                throw new ArgumentOutOfRangeException(nameof(phases), t, $"Sequential phase {i} ({p.Objective}) stop threshold must be finite; found {StrategyArguments.Format(t)}.");
        }
        _phases = [.. phases];
        TotalSteps = checked(_phases.Sum(p => p.Steps));
    }

    /// <summary>The phases, in order.</summary>
    public IReadOnlyList<SequentialPhase> Phases => Array.AsReadOnly(_phases);

    /// <inheritdoc />
    public string Name
    {
        get
        {
            var name = new StringBuilder("Sequential(");
            for (int i = 0; i < _phases.Length; i++)
            {
                if (i > 0) name.Append(" → ");
                name.Append(_phases[i].Objective == ObjectiveKind.Dpo ? "DPO" : "SFT").Append(" ×").Append(_phases[i].Steps);
            }
            return name.Append(')').ToString();
        }
    }

    /// <inheritdoc />
    /// <remarks>The sum of the phase lengths; fewer steps run when a phase stops early.</remarks>
    public int TotalSteps { get; }

    /// <summary>The phase that step <paramref name="step"/> belongs to, or <c>Phases.Count</c> when the run has ended by then.</summary>
    public int PhaseAt(int step) => Locate(step).Phase;

    /// <inheritdoc />
    public bool IsComplete(int step) => PhaseAt(step) >= _phases.Length;

    /// <inheritdoc />
    public EvaluationNeed Need(int step)
    {
        RequireRunning(step);
        return EvaluationNeed.None;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The run has ended before <paramref name="step"/>.</exception>
    public StepDecision Decide(int step, ObjectivePair? values)
    {
        if (step <= _lastDecided)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"{Name} already decided step {_lastDecided}; steps are decided in order, each once.");
        var (phase, start) = RequireRunning(step);
        (_phase, _phaseStart, _lastDecided, _stopRequested) = (phase, start, step, false);
        return _phases[phase].Objective == ObjectiveKind.Dpo ? StepDecision.Dpo : StepDecision.Sft;
    }

    /// <inheritdoc />
    /// <remarks>A loss of the current phase's objective below its threshold ends the phase after this step.</remarks>
    /// <exception cref="InvalidOperationException">Called before any step was decided.</exception>
    public void Observe(ObjectiveKind objective, double batchLoss)
    {
        StrategyArguments.Loss(batchLoss, objective, this);
        if (_lastDecided < 0)
            throw new InvalidOperationException($"{Name} received a {objective} loss before its first decision; decide a step first.");
        if (_phases[_phase] is { StopBelow: { } threshold } current && current.Objective == objective && batchLoss < threshold)
            _stopRequested = true;
    }

    /// <inheritdoc />
    /// <remarks>Values: <c>[phase index, first step of the phase, last decided step, stop requested (0 or 1)]</c>.</remarks>
    public StrategyState SaveState() => new([], [_phase, _phaseStart, _lastDecided, _stopRequested ? 1 : 0]);

    /// <inheritdoc />
    public void LoadState(StrategyState state)
    {
        StrategyArguments.StateShape(state, 0, 4, this);
        var v = state.Values;
        bool valid = v.All(x => x == Math.Floor(x))
            && v[0] >= 0 && v[0] < _phases.Length
            && v[1] >= 0 && v[2] >= v[1] - 1 && v[2] < TotalSteps
            && v[3] is 0 or 1;
        if (!valid)
            throw new ArgumentException(
                $"{Name} state must be [phase in 0..{_phases.Length - 1}, phase start, last decided step in [phase start - 1, {TotalSteps}), stop flag 0 or 1] as whole numbers; found [{string.Join(", ", v.Select(StrategyArguments.Format))}].",
                nameof(state));
        (_phase, _phaseStart, _lastDecided, _stopRequested) = ((int)v[0], (int)v[1], (int)v[2], v[3] == 1);
    }

    // The phase of a step follows from the current phase, where it started and a pending early stop
    // (which ends the phase after the last decided step); computed without mutation so that
    // IsComplete and Need can ask about a step before it is decided.
    private (int Phase, int Start) Locate(int step)
    {
        if (step < _phaseStart)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"{Name} is in a phase that started at step {_phaseStart}; found step {step}.");
        int phase = _phase, start = _phaseStart;
        if (_stopRequested && step > _lastDecided)
        {
            phase++;
            start = _lastDecided + 1;
        }
        while (phase < _phases.Length && step - start >= _phases[phase].Steps)
        {
            start += _phases[phase].Steps;
            phase++;
        }
        return (phase, start);
    }

    private (int Phase, int Start) RequireRunning(int step)
    {
        var located = Locate(step);
        if (located.Phase >= _phases.Length)
            throw new InvalidOperationException($"{Name} has ended before step {step}; check IsComplete first.");
        return located;
    }
}
