namespace XRight.Tokenization;

/// <summary>
/// Which tokens play the special roles, and whether encoding with special tokens adds BOS and EOS.
/// </summary>
internal sealed record SpecialTokenRoles(TokenRef Eos, TokenRef? Bos, TokenRef? Pad, TokenRef? Unk, bool AddBos, bool AddEos)
{
    /// <summary>The tokens that play a role, each once.</summary>
    public IEnumerable<TokenRef> All => new[] { Bos, Eos, Pad, Unk }.OfType<TokenRef>().Distinct();

    /// <summary>
    /// Resolves the roles: a role set in the configuration files wins over the format's default
    /// (<paramref name="defaults"/>, keyed like <see cref="TokenizerConfig.Roles"/>); BOS and EOS flags likewise.
    /// </summary>
    /// <param name="config">The configuration files.</param>
    /// <param name="defaults">The format's default token per role.</param>
    /// <param name="addBos">The format's default for adding BOS.</param>
    /// <param name="addEos">The format's default for adding EOS.</param>
    /// <param name="idOf">The id of a token text, or null when the tokenizer has no such token.</param>
    /// <param name="location">The tokenizer's folder, for messages.</param>
    /// <exception cref="InvalidDataException">There is no EOS token, a role names an unknown token, or BOS is to be added without a BOS token.</exception>
    public static SpecialTokenRoles Resolve(
        TokenizerConfig config, IReadOnlyDictionary<string, string?> defaults, bool addBos, bool addEos,
        Func<string, int?> idOf, string location)
    {
        TokenRef? Role(string role)
        {
            if (!config.TryGetToken(role, out var content)) defaults.TryGetValue(role, out content);
            if (content is null) return null;
            var id = idOf(content) ?? throw new InvalidDataException($"{location}: {role} '{content}' is not a token of this tokenizer.");
            return new TokenRef(content, id);
        }

        var eos = Role("eos_token") ?? throw new InvalidDataException(
            $"{location}: no EOS token: tokenizer_config.json and special_tokens_map.json set no eos_token, and the tokenizer files give none.");
        var bos = Role("bos_token");
        var roles = new SpecialTokenRoles(eos, bos, Role("pad_token"), Role("unk_token"),
            config.AddBosToken ?? addBos, config.AddEosToken ?? addEos);
        if (roles.AddBos && bos is null)
            throw new InvalidDataException($"{location}: add_bos_token is true but there is no bos_token.");
        return roles;
    }
}
