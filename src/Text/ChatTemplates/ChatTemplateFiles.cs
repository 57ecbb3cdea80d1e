using System.Text.Json.Nodes;
using XRight.IO;

namespace XRight.Text.ChatTemplates;

/// <summary>
/// Where a model folder keeps its chat template and the special tokens the template sees, read as
/// transformers reads them: <c>chat_template.jinja</c> first, then <c>chat_template.json</c>, then the
/// <c>"chat_template"</c> of <c>tokenizer_config.json</c> (a string, or a list of <c>{"name", "template"}</c> from
/// which <c>default</c> is taken); the special tokens from <c>tokenizer_config.json</c>, overridden by
/// <c>special_tokens_map.json</c>.
/// </summary>
internal sealed record ChatTemplateFiles(string Source, string Origin, IReadOnlyDictionary<string, string> SpecialTokens, IReadOnlyList<string> AdditionalSpecialTokens)
{
    public const string TokenizerConfigJson = "tokenizer_config.json";
    public const string ChatTemplateJinja = "chat_template.jinja";
    public const string ChatTemplateJson = "chat_template.json";
    public const string SpecialTokensMapJson = "special_tokens_map.json";
    public const string AdditionalTemplatesFolder = "additional_chat_templates";

    /// <summary>The special-token roles transformers passes to a template, when set.</summary>
    public static readonly string[] Roles = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    public static ChatTemplateFiles Read(string folder, string? configPath, string? templateName)
    {
        JsonFile? config = configPath is not null && File.Exists(configPath) ? JsonFile.Parse(File.ReadAllText(configPath), configPath) : null;
        var (source, origin) = FindTemplate(folder, config, templateName);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        List<string> additional = [];
        foreach (var file in new[] { config, ReadOptional(Path.Combine(folder, SpecialTokensMapJson)) })
        {
            if (file is null) continue;
            foreach (var role in Roles)
            {
                if (!file.Json.ContainsKey(role)) continue;
                if (TokenText(file, role, file.Json[role]) is { Length: > 0 } text) tokens[role] = text;
                else tokens.Remove(role);
            }
            if (file.Json["additional_special_tokens"] is JsonArray list)
                additional = list.Select(item => TokenText(file, "additional_special_tokens", item) ?? "").Where(t => t.Length > 0).ToList();
        }
        return new ChatTemplateFiles(source, origin, tokens, additional);
    }

    private static JsonFile? ReadOptional(string path) => File.Exists(path) ? JsonFile.Parse(File.ReadAllText(path), path) : null;

    private static (string Source, string Origin) FindTemplate(string folder, JsonFile? config, string? templateName)
    {
        if (templateName is not null)
        {
            var named = Path.Combine(folder, AdditionalTemplatesFolder, templateName + ".jinja");
            if (File.Exists(named)) return (File.ReadAllText(named), named);
        }
        else
        {
            var jinja = Path.Combine(folder, ChatTemplateJinja);
            if (File.Exists(jinja)) return (File.ReadAllText(jinja), jinja);
        }
        var json = ReadOptional(Path.Combine(folder, ChatTemplateJson));
        foreach (var file in new[] { json, config })
        {
            if (file is null || file.Json["chat_template"] is null) continue;
            return (Select(file, file.Json["chat_template"]!, templateName), file.Source);
        }
        throw new InvalidDataException(templateName is null
            ? $"No chat template in '{folder}': there is no {ChatTemplateJinja}, no {ChatTemplateJson} and no \"chat_template\" in {TokenizerConfigJson}."
            : $"No chat template named '{templateName}' in '{folder}'.");
    }

    // "chat_template" is a string, or a list of {"name": …, "template": …}.
    private static string Select(JsonFile file, JsonNode node, string? templateName)
    {
        if (node is JsonValue value && value.TryGetValue(out string? text))
        {
            if (templateName is null or "default") return text;
            throw file.Invalid($"'chat_template' is a single template; there is none named '{templateName}'.");
        }
        if (node is not JsonArray entries) throw file.Wrong("chat_template", "a string or a list of {\"name\", \"template\"}", node);
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry is not JsonObject obj || file.OptionalString(obj, "name") is not { } name || file.OptionalString(obj, "template") is not { } template)
                throw file.Wrong("chat_template", "a list of {\"name\", \"template\"} objects", node);
            templates[name] = template;
        }
        var wanted = templateName ?? "default";
        return templates.TryGetValue(wanted, out var chosen)
            ? chosen
            : throw file.Invalid($"'chat_template' has no template named '{wanted}' (it has {string.Join(", ", templates.Keys.Select(k => $"'{k}'"))}).");
    }

    // A token is a string or an added-token object {"content": "<s>", …}; null means none.
    private static string? TokenText(JsonFile file, string key, JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue(out string? text) => text,
        JsonObject obj => file.OptionalString(obj, "content"),
        _ => throw file.Wrong(key, "a string, an object with \"content\", or null", node),
    };
}
