namespace XRight;

/// <summary>How <c>CausalLm.Generate</c> continues prompts.</summary>
public sealed record GenerationOptions
{
    /// <summary>At most this many new tokens per prompt. Default: 128.</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary>0 picks the most likely token (greedy); above 0, tokens are sampled from softmax(logits / temperature). Default: 0.</summary>
    public double Temperature { get; init; }

    /// <summary>Nucleus sampling: sample only among the most likely tokens whose probabilities sum to this. 1 keeps all. Default: 1.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Seed of sampling: row r of a call draws from its own generator derived from this seed and r. Default: 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Generation of a row stops when its decoded text contains one of these; the ids returned end before it. Needs a decoder. Default: none.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Generation of a row stops at any of these tokens, which is not returned. Null: the model's <c>eos_token_id</c>s. Default: null.</summary>
    public IReadOnlyList<int>? StopTokenIds { get; init; }

    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    internal void Validate()
    {
        if (MaxNewTokens <= 0) throw new ArgumentException($"GenerationOptions.MaxNewTokens must be positive, found {MaxNewTokens}.");
        if (!(Temperature >= 0) || !double.IsFinite(Temperature)) throw new ArgumentException($"GenerationOptions.Temperature must be 0 (greedy) or positive, found {Temperature}.");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"GenerationOptions.TopP must be in (0, 1], found {TopP}.");
        if (StopStrings is null || StopStrings.Any(string.IsNullOrEmpty)) throw new ArgumentException("GenerationOptions.StopStrings must not be null or contain empty strings.");
    }
}
