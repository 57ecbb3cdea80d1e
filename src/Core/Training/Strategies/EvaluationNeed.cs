namespace XRight.Training.Strategies;

/// <summary>What the training loop must compute before a strategy can decide a step.</summary>
public enum EvaluationNeed
{
    /// <summary>Nothing: the strategy decides from its own state (Sequential, ALRIGHT, stale MAXRIGHT steps).</summary>
    None,

    /// <summary>Both batch objectives without a graph (memory-efficient MAXRIGHT's refresh steps).</summary>
    BothWithoutGraph,

    /// <summary>Both batch objectives with their graphs kept for the backward pass (Mix, full MAXRIGHT).</summary>
    BothWithGraph,
}
