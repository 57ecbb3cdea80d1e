using System.Text;
using Microsoft.ML.Tokenizers;

namespace XRight.Text;

/// <summary>
/// The text changes a Hugging Face tokenizer makes before splitting: Unicode normalization of the
/// text between added tokens (tokens matched in the raw text are left exactly as written), and the
/// leading space that <c>ByteLevel</c> with <c>add_prefix_space</c> gives every piece between added tokens.
/// </summary>
internal sealed class HuggingFaceNormalizer : Normalizer
{
    private readonly IReadOnlyList<NormalizationForm> _forms;
    private readonly AddedTokenSplitter _rawTokens;
    private readonly AddedTokenSplitter? _allTokens;

    public HuggingFaceNormalizer(IReadOnlyList<NormalizationForm> forms, bool addPrefixSpace, IReadOnlyCollection<AddedToken> addedTokens)
    {
        _forms = forms;
        _rawTokens = new AddedTokenSplitter(addedTokens.Where(t => !t.Normalized).Select(t => t.Content));
        _allTokens = addPrefixSpace ? new AddedTokenSplitter(addedTokens.Select(t => t.Content)) : null;
    }

    public override string Normalize(string original)
    {
        var result = new StringBuilder(original.Length + 8);
        foreach (var (offset, length, isToken) in _rawTokens.Split(original, 0, original.Length))
        {
            var piece = original.Substring(offset, length);
            if (isToken)
            {
                result.Append(piece);
                continue;
            }
            foreach (var form in _forms) piece = piece.Normalize(form);
            if (_allTokens is not null) AppendWithPrefixSpaces(result, piece, _allTokens);
            else result.Append(piece);
        }
        return result.ToString();
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());

    // Tokens matched in the normalized text (normalized: true) also bound the pieces that get a space.
    private static void AppendWithPrefixSpaces(StringBuilder result, string piece, AddedTokenSplitter allTokens)
    {
        foreach (var (offset, length, isToken) in allTokens.Split(piece, 0, piece.Length))
        {
            if (!isToken && piece[offset] != ' ') result.Append(' ');
            result.Append(piece, offset, length);
        }
    }
}
