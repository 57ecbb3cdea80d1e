namespace XRight.Text;

/// <summary>
/// What a tokenizer format implies when the configuration files are silent: the token of each role
/// (used only when the tokenizer has that token) and whether encoding adds BOS and EOS.
/// </summary>
internal sealed record RoleDefaults(string? Bos, string? Eos, string? Unk, bool AddBos, bool AddEos);
