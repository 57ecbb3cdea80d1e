using XRight.Text;

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

    // The reference code: text = (prompt + response).rstrip("\n"); text += " " + eos unless it ends with eos.
    private static string WithReferenceEos(string prompt, string response, string eos)
    {
        var trimmed = response.TrimEnd('\n');
        return (prompt + trimmed).EndsWith(eos, StringComparison.Ordinal) ? trimmed : $"{trimmed} {eos}";
    }
}
