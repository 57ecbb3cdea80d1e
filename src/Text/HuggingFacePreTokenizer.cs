using Microsoft.ML.Tokenizers;

namespace XRight.Text;

/// <summary>
/// Hugging Face pre-tokenization: added tokens are cut out first and kept whole, then every other
/// stretch goes through the split steps in order, each step cutting the pieces of the previous one.
/// </summary>
internal sealed class HuggingFacePreTokenizer : PreTokenizer
{
    private readonly AddedTokenSplitter _addedTokens;
    private readonly IReadOnlyList<SplitRule> _rules;

    public HuggingFacePreTokenizer(IEnumerable<AddedToken> addedTokens, IReadOnlyList<SplitRule> rules)
    {
        _addedTokens = new AddedTokenSplitter(addedTokens.Select(t => t.Content));
        _rules = rules;
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        var pieces = new List<(int Offset, int Length)>();
        if (string.IsNullOrEmpty(text)) return pieces;
        foreach (var (offset, length, isToken) in _addedTokens.Split(text, 0, text.Length))
        {
            if (isToken) pieces.Add((offset, length));
            else Split(text, offset, length, 0, pieces);
        }
        return pieces;
    }

    private void Split(string text, int offset, int length, int rule, List<(int Offset, int Length)> pieces)
    {
        if (rule == _rules.Count)
        {
            pieces.Add((offset, length));
            return;
        }
        foreach (var (pieceOffset, pieceLength) in _rules[rule].Split(text, offset, length))
            Split(text, pieceOffset, pieceLength, rule + 1, pieces);
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => PreTokenize(text.ToString());
}
