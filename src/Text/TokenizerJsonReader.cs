using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace XRight.Text;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> that describes a byte-level BPE (GPT-2, GPT-NeoX,
/// Llama-3, Qwen2, SmolLM). Every option that would change the ids is either honoured or rejected
/// with <see cref="NotSupportedException"/>; none is ignored.
/// </summary>
internal static class TokenizerJsonReader
{
    /// <summary>The <c>model.type</c> of the file.</summary>
    public static string ModelType(JsonCursor root) => root.Required("model").Required("type").String();

    /// <summary>
    /// True for a SentencePiece-style BPE (Llama-2, Mistral, TinyLlama): byte fallback or a Metaspace
    /// pre-tokenizer instead of the byte-level alphabet.
    /// </summary>
    public static bool IsSentencePieceStyle(JsonCursor root) =>
        root.Required("model").Optional("byte_fallback")?.Bool() == true
        || UsesType(root.Optional("pre_tokenizer")?.Element, "Metaspace")
        || UsesType(root.Optional("decoder")?.Element, "Metaspace");

    /// <summary>Reads a byte-level BPE file.</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    /// <exception cref="NotSupportedException">The file uses an option XRight does not implement.</exception>
    public static ByteLevelBpeDefinition Read(JsonCursor root)
    {
        var model = root.Required("model");
        RejectUnsupportedModelOptions(model);
        var vocabulary = ReadVocabulary(model.Required("vocab"));
        var addedTokens = ReadAddedTokens(root);
        var splitRules = new List<SplitRule>();
        var addPrefixSpace = ReadPreTokenizer(root.Optional("pre_tokenizer"), root, splitRules);
        CheckDecoder(root.Optional("decoder"));
        var normalization = new List<NormalizationForm>();
        ReadNormalizer(root.Optional("normalizer"), normalization);

        int? IdOf(string content) =>
            addedTokens.Where(t => t.Content == content).Select(t => (int?)t.Id).FirstOrDefault()
            ?? (vocabulary.TryGetValue(content, out var id) ? id : null);

        var (prefix, suffix) = ReadPostProcessor(root.Optional("post_processor"), IdOf);
        return new ByteLevelBpeDefinition
        {
            Origin = root.File,
            Vocabulary = vocabulary,
            Merges = ReadMerges(model.Required("merges")),
            AddedTokens = addedTokens,
            Normalization = normalization,
            SplitRules = splitRules,
            AddPrefixSpace = addPrefixSpace,
            IgnoreMerges = model.Optional("ignore_merges")?.Bool() ?? false,
            UnknownToken = model.Optional("unk_token")?.String(),
            TemplatePrefix = prefix,
            TemplateSuffix = suffix,
        };
    }

    /// <summary>The <c>added_tokens</c> of the file.</summary>
    public static IReadOnlyList<AddedToken> ReadAddedTokens(JsonCursor root) =>
        root.Optional("added_tokens")?.Items().Select(t => AddedToken.Read(t)).ToList() ?? [];

    private static void RejectUnsupportedModelOptions(JsonCursor model)
    {
        if (model.Optional("dropout") is { } dropout && (dropout.Kind != JsonValueKind.Number || dropout.Element.GetDouble() != 0))
            throw new NotSupportedException($"{model.File}: BPE dropout ({dropout.Element.GetRawText()}) makes tokenization random; XRight needs a deterministic tokenizer.");
        foreach (var affix in (string[])["continuing_subword_prefix", "end_of_word_suffix"])
        {
            if (model.Optional(affix) is { } value && value.String().Length > 0)
                throw new NotSupportedException($"{model.File}: model.{affix} \"{value.String()}\" is not supported for a byte-level BPE.");
        }
    }

    /// <summary>A vocabulary object of token to id (<c>model.vocab</c>, or all of <c>vocab.json</c>).</summary>
    // Read directly rather than through JsonCursor: vocabularies have 50k-150k entries.
    public static Dictionary<string, int> ReadVocabulary(JsonCursor vocab)
    {
        if (vocab.Kind != JsonValueKind.Object) throw vocab.Error($"'{vocab.Path}' must be an object of token to id, found {vocab.Kind}");
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.Element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                throw vocab.Error($"'{vocab.Path}': the id of token \"{entry.Name}\" must be a non-negative integer, found {entry.Value.GetRawText()}");
            result[entry.Name] = id;
        }
        return result;
    }

    // Merges come as "left right" strings (older files) or as ["left", "right"] pairs (newer files).
    private static List<string> ReadMerges(JsonCursor merges)
    {
        if (merges.Kind != JsonValueKind.Array) throw merges.Error($"'{merges.Path}' must be an array, found {merges.Kind}");
        var result = new List<string>(merges.Element.GetArrayLength());
        var index = 0;
        foreach (var merge in merges.Element.EnumerateArray())
        {
            string? text = null;
            if (merge.ValueKind == JsonValueKind.String)
            {
                text = merge.GetString()!;
                if (!IsMerge(text)) text = null;
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                     && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                var (left, right) = (merge[0].GetString()!, merge[1].GetString()!);
                if (left.Length > 0 && right.Length > 0 && !left.Contains(' ') && !right.Contains(' ')) text = $"{left} {right}";
            }
            result.Add(text ?? throw merges.Error(
                $"'{merges.Path}[{index}]' must be \"left right\" or [\"left\", \"right\"] with two non-empty tokens without spaces, found {merge.GetRawText()}"));
            index++;
        }
        return result;
    }

    /// <summary>Whether <paramref name="text"/> is a merge: two non-empty tokens separated by one space.</summary>
    public static bool IsMerge(string text)
    {
        var space = text.IndexOf(' ');
        return space > 0 && space < text.Length - 1 && text.IndexOf(' ', space + 1) < 0;
    }

    private static void ReadNormalizer(JsonCursor? normalizer, List<NormalizationForm> forms)
    {
        if (normalizer is not { } node) return;
        var type = node.Required("type").String();
        switch (type)
        {
            case "NFC": forms.Add(NormalizationForm.FormC); break;
            case "NFD": forms.Add(NormalizationForm.FormD); break;
            case "NFKC": forms.Add(NormalizationForm.FormKC); break;
            case "NFKD": forms.Add(NormalizationForm.FormKD); break;
            case "Sequence":
                foreach (var step in node.Required("normalizers").Items()) ReadNormalizer(step, forms);
                break;
            default:
                throw new NotSupportedException($"{node.File}: normalizer '{type}' ({node.Path}) is not supported; XRight supports NFC, NFD, NFKC, NFKD and Sequence of them.");
        }
    }

    /// <summary>Collects the split steps; returns ByteLevel's add_prefix_space.</summary>
    private static bool ReadPreTokenizer(JsonCursor? preTokenizer, JsonCursor root, List<SplitRule> rules)
    {
        var byteLevelSeen = false;
        var addPrefixSpace = false;

        void Visit(JsonCursor node)
        {
            var type = node.Required("type").String();
            if (type == "Sequence")
            {
                foreach (var step in node.Required("pretokenizers").Items()) Visit(step);
                return;
            }
            if (byteLevelSeen)
                throw new NotSupportedException($"{node.File}: pre-tokenizer '{type}' ({node.Path}) comes after ByteLevel; XRight supports ByteLevel only as the last step.");
            switch (type)
            {
                case "ByteLevel":
                    byteLevelSeen = true;
                    // Hugging Face defaults: add_prefix_space and use_regex are true when absent.
                    if (node.Optional("add_prefix_space")?.Bool() ?? true)
                    {
                        if (rules.Count > 0)
                            throw new NotSupportedException($"{node.File}: ByteLevel add_prefix_space after another pre-tokenizer ({node.Path}) is not supported; XRight supports it when ByteLevel comes first.");
                        addPrefixSpace = true;
                    }
                    if (node.Optional("use_regex")?.Bool() ?? true) rules.Add(SplitRule.Gpt2());
                    break;
                case "Split":
                    rules.Add(ReadSplit(node));
                    break;
                case "Digits":
                    rules.Add(SplitRule.Digits(node.Optional("individual_digits")?.Bool() ?? false));
                    break;
                default:
                    throw new NotSupportedException($"{node.File}: pre-tokenizer '{type}' ({node.Path}) is not supported; XRight supports ByteLevel, Split, Digits and Sequence of them.");
            }
        }

        if (preTokenizer is { } node) Visit(node);
        if (!byteLevelSeen)
            throw new NotSupportedException($"{root.File}: the pre-tokenizer has no ByteLevel step, so this is not a byte-level BPE; XRight reads byte-level BPE tokenizer.json files and SentencePiece tokenizer.model files.");
        return addPrefixSpace;
    }

    private static SplitRule ReadSplit(JsonCursor node)
    {
        var pattern = node.Required("pattern");
        var regexText = pattern.Optional("Regex")?.String();
        var source = regexText ?? Regex.Escape(pattern.Optional("String")?.String()
            ?? throw pattern.Error($"'{pattern.Path}' must have a \"Regex\" or a \"String\" member"));
        var behaviorName = node.Required("behavior").String();
        if (!Enum.TryParse<SplitBehavior>(behaviorName, ignoreCase: false, out var behavior) || !Enum.IsDefined(behavior))
            throw node.Error($"'{node.Path}.behavior' must be one of {string.Join(", ", Enum.GetNames<SplitBehavior>())}, found \"{behaviorName}\"");
        Regex regex;
        try
        {
            regex = SplitRule.Compile(source);
        }
        catch (ArgumentException ex)
        {
            throw new NotSupportedException($"{node.File}: the split pattern at {pattern.Path} is not a .NET regular expression ({ex.Message}).", ex);
        }
        return new SplitRule(regex, behavior, node.Optional("invert")?.Bool() ?? false);
    }

    // Decoding is the byte-level decoding of Microsoft.ML.Tokenizers; any other decoder would change the text.
    private static void CheckDecoder(JsonCursor? decoder)
    {
        if (decoder is not { } node) return;
        var type = node.Required("type").String();
        if (type == "ByteLevel") return;
        if (type == "Sequence")
        {
            foreach (var step in node.Required("decoders").Items()) CheckDecoder(step);
            return;
        }
        throw new NotSupportedException($"{node.File}: decoder '{type}' ({node.Path}) is not supported for a byte-level BPE; XRight decodes with ByteLevel.");
    }

    /// <summary>The token a TemplateProcessing post-processor puts before and after a single sequence.</summary>
    private static (string? Prefix, string? Suffix) ReadPostProcessor(JsonCursor? postProcessor, Func<string, int?> idOf)
    {
        if (postProcessor is not { } node) return (null, null);
        var type = node.Required("type").String();
        switch (type)
        {
            case "ByteLevel":
                return (null, null); // only adjusts offsets
            case "Sequence":
                string? prefix = null, suffix = null;
                foreach (var step in node.Required("processors").Items())
                {
                    var (p, s) = ReadPostProcessor(step, idOf);
                    if ((p is not null && prefix is not null) || (s is not null && suffix is not null))
                        throw new NotSupportedException($"{node.File}: {node.Path} adds tokens in more than one step, which is not supported.");
                    (prefix, suffix) = (p ?? prefix, s ?? suffix);
                }
                return (prefix, suffix);
            case "TemplateProcessing":
                return ReadTemplate(node, idOf);
            default:
                throw new NotSupportedException($"{node.File}: post-processor '{type}' ({node.Path}) is not supported; XRight supports TemplateProcessing, ByteLevel and Sequence of them.");
        }
    }

    private static (string? Prefix, string? Suffix) ReadTemplate(JsonCursor node, Func<string, int?> idOf)
    {
        var before = new List<string>();
        var after = new List<string>();
        var sequenceSeen = false;
        foreach (var item in node.Required("single").Items())
        {
            if (item.Optional("Sequence") is { } sequence)
            {
                if (sequenceSeen || sequence.Required("id").String() != "A")
                    throw new NotSupportedException($"{node.File}: {item.Path}: a single-sequence template must hold sequence A once.");
                sequenceSeen = true;
            }
            else
            {
                (sequenceSeen ? after : before).Add(item.Required("SpecialToken").Required("id").String());
            }
        }
        if (!sequenceSeen) throw node.Error($"'{node.Path}.single' holds no sequence");
        if (before.Count > 1 || after.Count > 1)
            throw new NotSupportedException($"{node.File}: {node.Path} adds {before.Count} tokens before and {after.Count} after the text; XRight supports at most one on each side (BOS, EOS).");
        return (TemplateToken(node, before), TemplateToken(node, after));

        string? TemplateToken(JsonCursor template, List<string> names)
        {
            if (names.Count == 0) return null;
            var entry = template.Required("special_tokens").Required(names[0]);
            var ids = entry.Required("ids").Items().Select(i => i.Int32()).ToList();
            var tokens = entry.Required("tokens").Items().Select(t => t.String()).ToList();
            if (ids.Count != 1 || tokens.Count != 1)
                throw new NotSupportedException($"{template.File}: {entry.Path} stands for {ids.Count} ids; XRight supports a template token of one id.");
            if (idOf(tokens[0]) != ids[0])
                throw entry.Error($"'{entry.Path}' gives id {ids[0]} to '{tokens[0]}', but the vocabulary gives {idOf(tokens[0])?.ToString() ?? "none"}");
            return tokens[0];
        }
    }

    private static bool UsesType(JsonElement? element, string type)
    {
        if (element is not { } e) return false;
        return e.ValueKind switch
        {
            JsonValueKind.Object => (e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type)
                                    || e.EnumerateObject().Any(p => UsesType(p.Value, type)),
            JsonValueKind.Array => e.EnumerateArray().Any(item => UsesType(item, type)),
            _ => false,
        };
    }
}
