using Microsoft.ML.Tokenizers;

namespace XRight.Text;

/// <summary>Builds the Microsoft.ML.Tokenizers tokenizer for a byte-level BPE definition.</summary>
internal static class ByteLevelBpeBuilder
{
    /// <param name="definition">The vocabulary, merges, normalizer and pre-tokenizer steps.</param>
    /// <param name="addedTokens">Every token matched whole in the text: the definition's added tokens and the special-token roles.</param>
    /// <exception cref="InvalidDataException">The merges name tokens the vocabulary lacks.</exception>
    public static Tokenizer Build(ByteLevelBpeDefinition definition, IReadOnlyList<AddedToken> addedTokens)
    {
        var normalizer = definition.Normalization.Count > 0 || definition.AddPrefixSpace
            ? new HuggingFaceNormalizer(definition.Normalization, definition.AddPrefixSpace, addedTokens)
            : null;
        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(definition.Vocabulary)
            {
                Merges = definition.Merges,
                SpecialTokens = addedTokens.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal),
                ByteLevel = true,
                Normalizer = normalizer,
                PreTokenizer = new HuggingFacePreTokenizer(addedTokens, definition.SplitRules),
                // BpeTokenizer wants the unknown token in the model vocabulary; a byte-level BPE never needs
                // it (every byte is a token), so one that is only an added token is left out here.
                UnknownToken = definition.UnknownToken is { } unknown && definition.Vocabulary.ContainsKey(unknown) ? unknown : null,
            });
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"{definition.Origin}: {ex.Message}", ex);
        }
        return definition.IgnoreMerges ? new WholeWordFirstTokenizer(bpe) : bpe;
    }
}
