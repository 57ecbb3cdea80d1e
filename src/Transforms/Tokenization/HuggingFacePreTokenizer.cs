using Microsoft.ML.Tokenizers;

namespace XRight.Tokenization;

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
            IReadOnlyList<(int Offset, int Length)> current = [(offset, length)];
            if (!isToken)
            {
                foreach (var rule in _rules) current = current.SelectMany(p => rule.Split(text, p.Offset, p.Length)).ToList();
            }
            pieces.AddRange(current);
        }
        return pieces;
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => PreTokenize(text.ToString());
}
