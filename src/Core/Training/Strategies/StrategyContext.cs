namespace XRight.Training.Strategies;

/// <summary>
/// What a user-supplied strategy factory knows about the run its strategy will drive (see
/// the <see cref="JointTrainer"/> constructor).
/// </summary>
public sealed record StrategyContext
{
    /// <summary>The run's options, with the seed in effect filled in.</summary>
    public required JointTrainerOptions Options { get; init; }

    /// <summary>
    /// The options' step budget: <see cref="StrategyOptions.Epochs"/> passes over the SFT batches
    /// (T_DPO + T_SFT epochs when the kind is Sequential), cut at <see cref="StrategyOptions.MaxSteps"/>.
    /// A strategy usually takes it as its <see cref="IJointStrategy.TotalSteps"/>.
    /// </summary>
    public required int TotalSteps { get; init; }

    /// <summary>Optimizer steps of one pass over the instruction training rows.</summary>
    public required int SftStepsPerEpoch { get; init; }

    /// <summary>Optimizer steps of one pass over the preference training rows.</summary>
    public required int DpoStepsPerEpoch { get; init; }

    /// <summary>f* from the options, when both values are given; null otherwise.</summary>
    public ObjectivePair? Optimum { get; init; }

    /// <summary>A seed for the strategy's own draws, derived from the run's seed.</summary>
    public required int Seed { get; init; }
}
