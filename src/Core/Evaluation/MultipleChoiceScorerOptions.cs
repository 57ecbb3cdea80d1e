namespace XRight.Evaluation;

/// <summary>How <see cref="MultipleChoiceScorer"/> tokenizes and batches. The defaults are lm-evaluation-harness's for a causal model.</summary>
public sealed record MultipleChoiceScorerOptions
{
    /// <summary>
    /// At most this many continuations per forward pass (the choices of one context always go together,
    /// so a context with more choices forms a batch of its own). Changes speed and memory, not results. Default: 32.
    /// </summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// The model's window in tokens: an input longer than this loses tokens from the left (the harness's
    /// <c>max_length</c>). Null: the model's <c>max_position_embeddings</c>. Default: null.
    /// </summary>
    public int? MaxLength { get; init; }

    /// <summary>
    /// Whether texts are encoded with the tokenizer's special tokens (BOS), the harness's <c>add_bos_token</c>.
    /// Default: false, as the harness encodes for causal models.
    /// </summary>
    public bool AddSpecialTokens { get; init; }

    /// <summary>
    /// The token that stands for an empty context (the harness's <c>prefix_token_id</c>). Null: the
    /// tokenizer's BOS, else its EOS. Default: null.
    /// </summary>
    public int? PrefixTokenId { get; init; }

    /// <summary>The settings that change results, as recorded in a <see cref="BenchmarkResult"/>.</summary>
    internal IEnumerable<KeyValuePair<string, string>> Settings(int maxLength, int prefixTokenId)
    {
        yield return new("max_length", maxLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new("add_special_tokens", AddSpecialTokens ? "true" : "false");
        yield return new("prefix_token_id", prefixTokenId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
