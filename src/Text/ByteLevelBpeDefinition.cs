using System.Text;

namespace XRight.Text;

/// <summary>Everything a byte-level BPE tokenizer is built from, as read from its files.</summary>
internal sealed record ByteLevelBpeDefinition
{
    /// <summary>The file or files it was read from, for messages.</summary>
    public required string Origin { get; init; }

    /// <summary>Token (in the byte-level alphabet) to id.</summary>
    public required IReadOnlyDictionary<string, int> Vocabulary { get; init; }

    /// <summary>Merges in priority order, each as <c>"left right"</c>.</summary>
    public required IReadOnlyList<string> Merges { get; init; }

    public required IReadOnlyList<AddedToken> AddedTokens { get; init; }

    /// <summary>Unicode normalizations applied in order to the text between added tokens.</summary>
    public IReadOnlyList<NormalizationForm> Normalization { get; init; } = [];

    /// <summary>Pre-tokenizer split steps in order.</summary>
    public required IReadOnlyList<SplitRule> SplitRules { get; init; }

    /// <summary>ByteLevel <c>add_prefix_space</c>: each piece between added tokens gets a leading space.</summary>
    public bool AddPrefixSpace { get; init; }

    /// <summary>BPE <c>ignore_merges</c>: a word that is itself a token is not merged.</summary>
    public bool IgnoreMerges { get; init; }

    public string? UnknownToken { get; init; }

    /// <summary>The token the post-processor puts before every sequence, if any (Llama-3's BOS).</summary>
    public string? TemplatePrefix { get; init; }

    /// <summary>The token the post-processor puts after every sequence, if any.</summary>
    public string? TemplateSuffix { get; init; }
}
