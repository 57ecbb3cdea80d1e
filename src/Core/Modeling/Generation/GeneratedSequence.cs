namespace XRight.Modeling.Generation;

/// <summary>The continuation of one prompt: the new token ids (without the stop token or stop string) and why it ended.</summary>
/// <param name="TokenIds">The new tokens, prompt excluded.</param>
/// <param name="StopReason">Why generation ended.</param>
public sealed record GeneratedSequence(int[] TokenIds, GenerationStopReason StopReason);
