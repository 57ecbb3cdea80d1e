namespace XRight.TextStages;

/// <summary>What happens to a prompt that does not fit in the token budget beside its longest response.</summary>
public enum PromptTruncation
{
    /// <summary>Keep the end of the prompt (the part next to the answer), and BOS when the tokenizer adds one. The default.</summary>
    KeepEnd,

    /// <summary>Keep the start of the prompt.</summary>
    KeepStart,

    /// <summary>Never cut the prompt: such rows do not fit and are dropped (and counted) downstream.</summary>
    None,
}
