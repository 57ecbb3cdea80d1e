using System.Text.Json;
using System.Text.Json.Nodes;
using XRight.IO;

namespace XRight.Text;

/// <summary>
/// The settings Hugging Face keeps beside the tokenizer model: special-token roles and
/// <c>add_bos_token</c>/<c>add_eos_token</c> from <c>tokenizer_config.json</c> (overridden by
/// <c>special_tokens_map.json</c>, as transformers does), and added tokens from
/// <c>added_tokens_decoder</c> and <c>added_tokens.json</c>.
/// </summary>
internal sealed class TokenizerConfig
{
    /// <summary>The special-token roles, as Hugging Face names their keys.</summary>
    public static readonly string[] Roles = ["bos_token", "eos_token", "pad_token", "unk_token"];

    private static readonly JsonDocumentOptions Lenient = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private readonly Dictionary<string, string?> _tokens = new(StringComparer.Ordinal);

    private TokenizerConfig() { }

    public bool? AddBosToken { get; private set; }

    public bool? AddEosToken { get; private set; }

    /// <summary><c>add_prefix_space</c>, which transformers applies to byte-level tokenizers.</summary>
    public bool? AddPrefixSpace { get; private set; }

    /// <summary>The added tokens with the file each comes from.</summary>
    public IReadOnlyList<(string File, AddedToken Token)> AddedTokens { get; private set; } = [];

    /// <summary>The bytes of <c>tokenizer_config.json</c>, whose other settings a saved copy keeps.</summary>
    public byte[]? OriginalBytes { get; private set; }

    /// <summary>
    /// The token set for <paramref name="role"/>: false when the files do not mention the role;
    /// true with a null token when they set it to null (no such token).
    /// </summary>
    public bool TryGetToken(string role, out string? token) => _tokens.TryGetValue(role, out token);

    public static TokenizerConfig Read(TokenizerSource source)
    {
        var config = new TokenizerConfig();
        var added = new List<(string File, AddedToken Token)>();
        if (source.Has(TokenizerSource.TokenizerConfigJson))
        {
            config.OriginalBytes = source.Read(TokenizerSource.TokenizerConfigJson);
            using var document = JsonCursor.Parse(config.OriginalBytes, source.PathOf(TokenizerSource.TokenizerConfigJson));
            var root = JsonCursor.Root(document, source.PathOf(TokenizerSource.TokenizerConfigJson));
            config.ReadRoles(root);
            config.AddBosToken = root.Optional("add_bos_token")?.Bool();
            config.AddEosToken = root.Optional("add_eos_token")?.Bool();
            config.AddPrefixSpace = root.Optional("add_prefix_space")?.Bool();
            foreach (var (key, entry) in root.Optional("added_tokens_decoder")?.Members() ?? [])
            {
                if (!int.TryParse(key, out var id) || id < 0)
                    throw entry.Error($"'{entry.Path}': the key of an added_tokens_decoder entry must be a token id, found \"{key}\"");
                added.Add((entry.File, AddedToken.Read(entry, id)));
            }
        }
        if (source.Has(TokenizerSource.SpecialTokensMapJson))
        {
            var path = source.PathOf(TokenizerSource.SpecialTokensMapJson);
            using var document = JsonCursor.Parse(source.Read(TokenizerSource.SpecialTokensMapJson), path);
            config.ReadRoles(JsonCursor.Root(document, path));
        }
        if (source.Has(TokenizerSource.AddedTokensJson))
        {
            var path = source.PathOf(TokenizerSource.AddedTokensJson);
            using var document = JsonCursor.Parse(source.Read(TokenizerSource.AddedTokensJson), path);
            foreach (var (content, id) in JsonCursor.Root(document, path).Members())
                added.Add((path, new AddedToken(id.Int32(), content, Special: false, Normalized: true)));
        }
        config.AddedTokens = added;
        return config;
    }

    /// <summary>
    /// <c>tokenizer_config.json</c> for a saved tokenizer: the original settings with the resolved
    /// special-token roles and BOS/EOS flags written out, so that reading it back gives the same tokenizer.
    /// </summary>
    public static byte[] Render(byte[]? originalBytes, SpecialTokenRoles roles)
    {
        var json = originalBytes is null ? new JsonObject() : JsonNode.Parse(originalBytes, documentOptions: Lenient)!.AsObject();
        json["bos_token"] = roles.Bos?.Content;
        json["eos_token"] = roles.Eos.Content;
        json["pad_token"] = roles.Pad?.Content;
        json["unk_token"] = roles.Unk?.Content;
        json["add_bos_token"] = roles.AddBos;
        json["add_eos_token"] = roles.AddEos;
        return JsonSerializer.SerializeToUtf8Bytes(json, JsonFile.IndentedReadable);
    }

    /// <summary><c>special_tokens_map.json</c> listing the tokens that play a role.</summary>
    public static byte[] RenderSpecialTokensMap(SpecialTokenRoles roles)
    {
        var json = new JsonObject();
        foreach (var (role, token) in Roles.Zip([roles.Bos, roles.Eos, roles.Pad, roles.Unk]))
        {
            if (token is { } t) json[role] = t.Content;
        }
        return JsonSerializer.SerializeToUtf8Bytes(json, JsonFile.IndentedReadable);
    }

    // A role is a string, an AddedToken-like object with "content", or null (explicitly none).
    private void ReadRoles(JsonCursor root)
    {
        foreach (var role in Roles)
        {
            if (!root.Element.TryGetProperty(role, out var value)) continue;
            var cursor = new JsonCursor(value, root.File, role);
            _tokens[role] = value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Object => cursor.Required("content").String(),
                _ => cursor.String(),
            };
        }
    }
}
