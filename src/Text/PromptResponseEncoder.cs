namespace XRight.Text;

/// <summary>Turns a (templated) prompt and its response into the token ids a causal LM trains on.</summary>
public static class PromptResponseEncoder
{
    /// <summary>
    /// The ids of <paramref name="prompt"/> and of <paramref name="response"/> as they follow it.
    /// </summary>
    /// <remarks>
    /// As in the reference code, the whole text (prompt + response, with EOS per <paramref name="policy"/>)
    /// is tokenized and the response ids are what follows the prompt's own ids. When BPE merges across
    /// the boundary (for instance a prompt ending in a space before a word), the whole text's ids do not
    /// start with the prompt's ids; then the response is tokenized on its own, so the prompt ids stay
    /// exactly those the model sees when it generates. The reference code instead cuts the whole text's
    /// ids at the prompt's length. With <see cref="EosPolicy.ReferenceCode"/> trailing newlines are removed
    /// from the response (the reference code strips the whole text, which differs only for an empty
    /// response after a prompt ending in a newline), and no EOS is added when the text already ends with it.
    /// BOS, when <see cref="CausalLmTokenizer.AddBosToken"/>, goes before the prompt (the reference code
    /// adds none; Pythia has none).
    /// </remarks>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="prompt">The prompt with its template applied.</param>
    /// <param name="response">The response text.</param>
    /// <param name="policy">How EOS ends the response.</param>
    /// <returns>The prompt ids and the response ids; the response ids end with EOS unless the policy is <see cref="EosPolicy.None"/>.</returns>
    public static (int[] PromptIds, int[] ResponseIds) Encode(
        CausalLmTokenizer tokenizer, string prompt, string response, EosPolicy policy = EosPolicy.ReferenceCode)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        if (!Enum.IsDefined(policy)) throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown EOS policy.");

        var responseText = policy == EosPolicy.ReferenceCode ? WithReferenceEos(prompt, response, tokenizer.EosToken) : response;
        var promptIds = tokenizer.Encode(prompt);
        var wholeIds = tokenizer.Encode(prompt + responseText);
        var responseIds = wholeIds.AsSpan().StartsWith(promptIds) ? wholeIds[promptIds.Length..] : tokenizer.Encode(responseText);
        if (policy == EosPolicy.AppendToken) responseIds = [.. responseIds, tokenizer.EosTokenId];
        if (tokenizer.AddBosToken) promptIds = [tokenizer.BosTokenId!.Value, .. promptIds];
        return (promptIds, responseIds);
    }

    /// <summary>
    /// <see cref="Encode"/> plus a loss mask over the response ids: true for the tokens of the
    /// <paramref name="targets"/> spans of <paramref name="response"/> and for anything the EOS policy appends.
    /// </summary>
    /// <remarks>
    /// A token is a target when it holds a character of a target span (as transformers' assistant-token mask does
    /// from character offsets: a token that straddles a span's edge is in). The token boundaries are found by
    /// encoding prefixes of the text: the ids of <c>prompt + response[..b]</c> are compared with the ids of the whole
    /// text; when they are a prefix of them, b lies between two tokens, otherwise the first differing token is the
    /// one that straddles b.
    /// </remarks>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="prompt">The prompt text.</param>
    /// <param name="response">The response text.</param>
    /// <param name="targets">Spans of <paramref name="response"/>, in order and not overlapping.</param>
    /// <param name="policy">How EOS ends the response.</param>
    /// <exception cref="ArgumentException">A span is out of range, empty, or out of order.</exception>
    /// <exception cref="FormatException">No response token is a target.</exception>
    public static (int[] PromptIds, int[] ResponseIds, bool[] LossMask) EncodeWithTargets(
        CausalLmTokenizer tokenizer, string prompt, string response, IReadOnlyList<TextSpan> targets, EosPolicy policy = EosPolicy.ReferenceCode)
    {
        ArgumentNullException.ThrowIfNull(targets);
        int previousEnd = 0;
        foreach (var span in targets)
        {
            if (span.Start < previousEnd || span.End <= span.Start || span.End > response.Length)
                throw new ArgumentException($"The target span [{span.Start}, {span.End}) is empty, overlaps the one before or lies outside the response of {response.Length} characters.", nameof(targets));
            previousEnd = span.End;
        }
        var (promptIds, responseIds) = Encode(tokenizer, prompt, response, policy);

        // Which text responseIds came from, as Encode decided.
        var text = policy == EosPolicy.ReferenceCode ? WithReferenceEos(prompt, response, tokenizer.EosToken) : response;
        int kept = policy == EosPolicy.ReferenceCode ? Math.Min(response.TrimEnd('\n').Length, response.Length) : response.Length;
        var rawPrompt = tokenizer.Encode(prompt);
        var whole = tokenizer.Encode(prompt + text);
        bool joined = whole.AsSpan().StartsWith(rawPrompt);
        var reference = joined ? whole : tokenizer.Encode(text);
        int offset = joined ? rawPrompt.Length : 0;

        // The number of response tokens that lie wholly before character b, and whether b falls inside a token.
        (int Before, bool Inside) Boundary(int b)
        {
            b = Math.Min(b, kept);
            var ids = tokenizer.Encode(joined ? prompt + text[..b] : text[..b]);
            int common = 0;
            while (common < ids.Length && common < reference.Length && ids[common] == reference[common]) common++;
            return (common - offset, common < ids.Length);
        }

        var mask = new bool[responseIds.Length];
        foreach (var span in targets)
        {
            int first = Boundary(span.Start).Before;
            var (before, inside) = Boundary(span.End);
            int end = inside ? before + 1 : before;
            for (int i = Math.Max(first, 0); i < Math.Min(end, mask.Length); i++) mask[i] = true;
        }
        // What follows the response text (EOS and the space before it) ends the last turn: a target.
        for (int i = Math.Max(Boundary(kept).Before, 0); i < mask.Length; i++) mask[i] = true;
        if (!mask.Contains(true)) throw new FormatException("No response token is a loss target.");
        return (promptIds, responseIds, mask);
    }

    // The reference code: text = (prompt + response).rstrip("\n"); text += " " + eos unless it ends with eos.
    private static string WithReferenceEos(string prompt, string response, string eos)
    {
        var trimmed = response.TrimEnd('\n');
        return (prompt + trimmed).EndsWith(eos, StringComparison.Ordinal) ? trimmed : $"{trimmed} {eos}";
    }
}
