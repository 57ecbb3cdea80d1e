namespace XRight.Modeling.Generation;

/// <summary>Why the generation of one row ended.</summary>
public enum GenerationStopReason
{
    /// <summary>The model produced a stop token (EOS by default).</summary>
    StopToken,

    /// <summary>The decoded text reached a stop string.</summary>
    StopString,

    /// <summary>The row reached <see cref="GenerationOptions.MaxNewTokens"/>.</summary>
    MaxNewTokens,
}
