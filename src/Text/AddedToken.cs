namespace XRight.Text;

/// <summary>
/// A token matched verbatim in the text before any other processing, as Hugging Face
/// <c>added_tokens</c> are: special tokens (EOS, chat markers) and non-special additions
/// (GPT-NeoX's runs of spaces).
/// </summary>
/// <param name="Id">The token id.</param>
/// <param name="Content">The exact text that stands for the token.</param>
/// <param name="Special">Whether decoding with special tokens skipped leaves it out.</param>
/// <param name="Normalized">Whether it is matched in the normalized text rather than in the raw text.</param>
internal readonly record struct AddedToken(int Id, string Content, bool Special, bool Normalized)
{
    /// <summary>
    /// Reads a Hugging Face added-token object (<c>content</c>, <c>special</c>, <c>normalized</c>, ...).
    /// The id comes from the object's <c>id</c> member or, in <c>added_tokens_decoder</c>, from its key.
    /// </summary>
    /// <exception cref="NotSupportedException">The token strips neighbouring spaces or must be a single word.</exception>
    public static AddedToken Read(JsonCursor entry, int? id = null)
    {
        var content = entry.Required("content").String();
        var special = entry.Optional("special")?.Bool() ?? false;
        foreach (var flag in (string[])["lstrip", "rstrip", "single_word"])
        {
            if (entry.Optional(flag)?.Bool() == true)
                throw new NotSupportedException($"{entry.File}: added token '{content}' ({entry.Path}) sets {flag}, which XRight does not support.");
        }
        return new AddedToken(
            id ?? entry.Required("id").Int32(),
            content,
            special,
            entry.Optional("normalized")?.Bool() ?? !special); // the Hugging Face default
    }
}
