namespace XRight;

/// <summary>Why a run ended.</summary>
public enum TrainingStopReason
{
    /// <summary>All planned steps ran.</summary>
    Completed,

    /// <summary>A held-out optimality gap reached <see cref="EvaluationOptions.StopGap"/> (for an estimated f*, without the run having beaten it).</summary>
    GapReached,

    /// <summary>The held-out point weakly dominated <see cref="EvaluationOptions.StopWhenDominating"/>.</summary>
    DominatesTarget,

    /// <summary>A Sequential phase stopped early and nothing was left.</summary>
    StrategyFinished,
}
