namespace XRight.Text;

/// <summary>
/// Which tokens play the special roles, and whether encoding with special tokens adds BOS and EOS.
/// </summary>
internal sealed record SpecialTokenRoles(TokenRef Eos, TokenRef? Bos, TokenRef? Pad, TokenRef? Unk, bool AddBos, bool AddEos)
{
    /// <summary>The tokens that play a role, each once.</summary>
    public IEnumerable<TokenRef> All => new[] { Bos, Eos, Pad, Unk }.OfType<TokenRef>().Distinct();

    /// <summary>
    /// Resolves the roles: a role set in the configuration files wins and must name a token of the
    /// tokenizer; otherwise the format's default applies when the tokenizer has that token. The BOS and
    /// EOS flags likewise.
    /// </summary>
    /// <param name="config">The configuration files.</param>
    /// <param name="defaults">What the format implies.</param>
    /// <param name="idOf">The id of a token text, or null when the tokenizer has no such token.</param>
    /// <param name="location">The tokenizer's folder, for messages.</param>
    /// <exception cref="InvalidDataException">There is no EOS token, a configured role names an unknown token, or BOS is to be added without a BOS token.</exception>
    public static SpecialTokenRoles Resolve(TokenizerConfig config, RoleDefaults defaults, Func<string, int?> idOf, string location)
    {
        TokenRef? Role(string role, string? fallback)
        {
            if (config.TryGetToken(role, out var configured))
            {
                if (configured is null) return null;
                return new TokenRef(configured, idOf(configured)
                    ?? throw new InvalidDataException($"{location}: {role} '{configured}' is not a token of this tokenizer."));
            }
            return fallback is not null && idOf(fallback) is { } id ? new TokenRef(fallback, id) : null;
        }

        var eos = Role("eos_token", defaults.Eos) ?? throw new InvalidDataException(
            $"{location}: no EOS token: tokenizer_config.json and special_tokens_map.json set no eos_token, and the tokenizer files give none.");
        var bos = Role("bos_token", defaults.Bos);
        var roles = new SpecialTokenRoles(eos, bos, Role("pad_token", null), Role("unk_token", defaults.Unk),
            config.AddBosToken ?? defaults.AddBos, config.AddEosToken ?? defaults.AddEos);
        if (roles.AddBos && bos is null)
            throw new InvalidDataException($"{location}: add_bos_token is true but there is no bos_token.");
        return roles;
    }
}
