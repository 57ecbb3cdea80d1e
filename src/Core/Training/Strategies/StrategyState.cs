namespace XRight.Training.Strategies;

/// <summary>A strategy's mutable state as plain numbers, so checkpoints can store it as JSON.</summary>
/// <param name="Random">Generator state words (empty when the strategy draws nothing).</param>
/// <param name="Values">Stored objective values or phase counters (meaning is the strategy's own).</param>
public sealed record StrategyState(ulong[] Random, double[] Values);
