using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace XRight.Text;

/// <summary>
/// A byte-level BPE that looks every pre-tokenized word up whole before merging, as Hugging Face BPE
/// does with <c>ignore_merges</c> (Llama-3). <see cref="BpeTokenizer"/> always merges, and merging
/// does not reach every word the vocabulary holds whole, so without this lookup such words would
/// come out as several tokens.
/// </summary>
internal sealed class WholeWordFirstTokenizer : Tokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, (int Id, string Token)> _words;

    /// <param name="bpe">The BPE with the normalizer, pre-tokenizer and added tokens to use.</param>
    public WholeWordFirstTokenizer(BpeTokenizer bpe)
    {
        _bpe = bpe;
        var words = new Dictionary<string, (int Id, string Token)>(StringComparer.Ordinal);
        foreach (var (token, id) in bpe.Vocabulary)
        {
            if (ByteLevelAlphabet.TryDecode(token) is { } text) words[text] = (id, token);
        }
        // Added tokens are whole words too, and they take precedence over the vocabulary.
        foreach (var (content, id) in bpe.SpecialTokens ?? new Dictionary<string, int>()) words[content] = (id, content);
        _words = words;
    }

    public override Normalizer? Normalizer => _bpe.Normalizer;

    public override PreTokenizer? PreTokenizer => _bpe.PreTokenizer;

    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var (source, normalized) = Normalize(text, textSpan, settings);
        var tokens = new List<EncodedToken>();
        foreach (var (offset, length) in Words(source, settings))
        {
            var word = source.AsSpan(offset, length);
            if (TryGetWhole(word, out var whole))
            {
                tokens.Add(new EncodedToken(whole.Id, whole.Token, new Range(offset, offset + length)));
                continue;
            }
            foreach (var token in _bpe.EncodeToTokens(word, out _, considerPreTokenization: false, considerNormalization: false))
                tokens.Add(new EncodedToken(token.Id, token.Value, new Range(offset + token.Offset.Start.Value, offset + token.Offset.End.Value)));
        }
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = normalized, CharsConsumed = source.Length };
    }

    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.MaxTokenCount, nameof(settings.MaxTokenCount));
        var (source, normalized) = Normalize(text, textSpan, settings);
        var ids = new List<int>();
        var consumed = 0;
        foreach (var (offset, length) in Words(source, settings))
        {
            var room = settings.MaxTokenCount - ids.Count;
            if (room == 0) break;
            var word = source.AsSpan(offset, length);
            if (TryGetWhole(word, out var whole))
            {
                ids.Add(whole.Id);
                consumed = offset + length;
                continue;
            }
            ids.AddRange(_bpe.EncodeToIds(word, room, out _, out var wordConsumed, considerPreTokenization: false, considerNormalization: false));
            consumed = offset + wordConsumed;
            if (wordConsumed < length) break;
        }
        return new EncodeResults<int> { Tokens = ids, NormalizedText = normalized, CharsConsumed = consumed };
    }

    public override string Decode(IEnumerable<int> ids) => _bpe.Decode(ids);

    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten) =>
        _bpe.Decode(ids, destination, out idsConsumed, out charsWritten);

    private bool TryGetWhole(ReadOnlySpan<char> word, out (int Id, string Token) whole) =>
#if NET9_0_OR_GREATER
        _words.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(word, out whole);
#else
        _words.TryGetValue(word.ToString(), out whole); // .NET 8 cannot look a span up in a string-keyed dictionary
#endif

    private (string Source, string? Normalized) Normalize(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var source = text ?? textSpan.ToString();
        if (!settings.ConsiderNormalization || Normalizer is null) return (source, null);
        var normalized = Normalizer.Normalize(source);
        return (normalized, normalized);
    }

    private IEnumerable<(int Offset, int Length)> Words(string source, EncodeSettings settings) =>
        settings.ConsiderPreTokenization && PreTokenizer is not null ? PreTokenizer.PreTokenize(source) : [(0, source.Length)];
}
