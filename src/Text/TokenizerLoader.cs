using Microsoft.ML.Tokenizers;

namespace XRight.Text;

/// <summary>
/// Finds which tokenizer files a source holds and builds the tokenizer from them:
/// <c>tokenizer.json</c> (byte-level BPE), else <c>tokenizer.model</c> (SentencePiece), else
/// <c>vocab.json</c> + <c>merges.txt</c> (GPT-2 layout).
/// </summary>
internal static class TokenizerLoader
{
    /// <summary>Files that decide which tokenizer a folder holds.</summary>
    public static readonly string[] ModelFileNames =
    [
        TokenizerSource.TokenizerJson, TokenizerSource.TokenizerModel, TokenizerSource.VocabJson,
        TokenizerSource.MergesTxt, TokenizerSource.AddedTokensJson,
    ];

    public static CausalLmTokenizer Load(TokenizerSource source)
    {
        var config = TokenizerConfig.Read(source);
        if (source.Has(TokenizerSource.TokenizerJson))
        {
            var path = source.PathOf(TokenizerSource.TokenizerJson);
            var bytes = source.Read(TokenizerSource.TokenizerJson);
            using var document = JsonCursor.Parse(bytes, path);
            var root = JsonCursor.Root(document, path);
            var type = TokenizerJsonReader.ModelType(root);
            if (type != "BPE")
                throw new NotSupportedException($"{path}: model type '{type}' is not supported; XRight reads byte-level BPE tokenizer.json files (GPT-2, GPT-NeoX, Llama-3, Qwen2) and SentencePiece tokenizer.model files.");
            if (TokenizerJsonReader.IsSentencePieceStyle(root))
            {
                if (source.Has(TokenizerSource.TokenizerModel)) return LoadSentencePiece(source, config, TokenizerJsonReader.ReadAddedTokens(root));
                throw new NotSupportedException(
                    $"{path}: this is a SentencePiece-style BPE (Metaspace or byte fallback, as in Llama-2 and Mistral), which Microsoft.ML.Tokenizers cannot build from tokenizer.json; add the model's tokenizer.model to the folder.");
            }
            var definition = TokenizerJsonReader.Read(root);
            if (config.AddPrefixSpace is { } configured && configured != definition.AddPrefixSpace)
                throw new NotSupportedException($"{source.Location}: tokenizer_config.json sets add_prefix_space to {configured} but tokenizer.json's ByteLevel says {definition.AddPrefixSpace}; XRight does not rewrite the pre-tokenizer.");
            return LoadByteLevel(source, config, definition, KeptFiles(source, TokenizerSource.TokenizerJson));
        }
        if (source.Has(TokenizerSource.TokenizerModel)) return LoadSentencePiece(source, config, []);
        if (source.Has(TokenizerSource.VocabJson) || source.Has(TokenizerSource.MergesTxt))
        {
            var definition = VocabMergesReader.Read(source, config.AddPrefixSpace ?? false);
            return LoadByteLevel(source, config, definition, KeptFiles(source, TokenizerSource.VocabJson, TokenizerSource.MergesTxt));
        }
        throw new FileNotFoundException(
            $"{source.Location} holds no tokenizer: expected tokenizer.json, tokenizer.model, or vocab.json with merges.txt.");
    }

    private static CausalLmTokenizer LoadByteLevel(
        TokenizerSource source, TokenizerConfig config, ByteLevelBpeDefinition definition, Dictionary<string, byte[]> files)
    {
        CheckTemplateAgreesWithConfig(definition.TemplatePrefix, "bos_token", config, source.Location);
        CheckTemplateAgreesWithConfig(definition.TemplateSuffix, "eos_token", config, source.Location);
        // A post-processor that adds BOS or EOS names them; otherwise GPT-2 and GPT-NeoX use <|endoftext|> as EOS.
        var defaults = new RoleDefaults(
            Bos: definition.TemplatePrefix,
            Eos: definition.TemplateSuffix ?? CausalLmTokenizer.EndOfTextToken,
            Unk: definition.UnknownToken,
            AddBos: definition.TemplatePrefix is not null,
            AddEos: definition.TemplateSuffix is not null);
        return Assemble(source, config, definition.Vocabulary, definition.AddedTokens.Select(t => (definition.Origin, t)), defaults,
            matched => ByteLevelBpeBuilder.Build(definition, matched), files);
    }

    /// <param name="source">The folder.</param>
    /// <param name="config">Its configuration files.</param>
    /// <param name="jsonAddedTokens">The added tokens of a SentencePiece-style tokenizer.json beside the model, if any.</param>
    private static CausalLmTokenizer LoadSentencePiece(TokenizerSource source, TokenizerConfig config, IReadOnlyList<AddedToken> jsonAddedTokens)
    {
        var path = source.PathOf(TokenizerSource.TokenizerModel);
        var bytes = source.Read(TokenizerSource.TokenizerModel);
        var plain = CreateSentencePiece(bytes, path, specialTokens: null);
        var vocabulary = plain.Vocabulary;

        // The model's own BOS/EOS/UNK pieces, when the vocabulary really has them at the stated ids.
        string? Piece(string piece, int id) => vocabulary.TryGetValue(piece, out var found) && found == id ? piece : null;
        var defaults = new RoleDefaults(
            Bos: Piece(plain.BeginningOfSentenceToken, plain.BeginningOfSentenceId),
            Eos: Piece(plain.EndOfSentenceToken, plain.EndOfSentenceId),
            Unk: Piece(plain.UnknownToken, plain.UnknownId),
            AddBos: true, // as Llama's tokenizers do
            AddEos: false);
        var jsonPath = source.PathOf(TokenizerSource.TokenizerJson);
        return Assemble(source, config, vocabulary, jsonAddedTokens.Select(t => (jsonPath, t)), defaults,
            matched => CreateSentencePiece(bytes, path, matched.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal)),
            KeptFiles(source, TokenizerSource.TokenizerModel, TokenizerSource.TokenizerJson));
    }

    /// <summary>
    /// Resolves the special-token roles and builds the tokenizer with every token matched whole in the
    /// text: the format's added tokens, those of the configuration files, and the role tokens.
    /// </summary>
    private static CausalLmTokenizer Assemble(
        TokenizerSource source, TokenizerConfig config, IReadOnlyDictionary<string, int> vocabulary,
        IEnumerable<(string File, AddedToken Token)> formatAddedTokens, RoleDefaults defaults,
        Func<IReadOnlyList<AddedToken>, Tokenizer> build, Dictionary<string, byte[]> files)
    {
        var added = CombineAddedTokens(formatAddedTokens.Concat(config.AddedTokens));
        int? IdOf(string content) => added.TryGetValue(content, out var token) ? token.Id
            : vocabulary.TryGetValue(content, out var id) ? id : null;
        var roles = SpecialTokenRoles.Resolve(config, defaults, IdOf, source.Location);
        // transformers matches every special-token role whole in the text, even one only in the vocabulary.
        foreach (var role in roles.All) added.TryAdd(role.Content, new AddedToken(role.Id, role.Content, Special: true, Normalized: false));

        var matched = added.Values.ToList();
        var inner = build(matched);
        var vocabSize = vocabulary.Values.Concat(matched.Select(t => t.Id)).Max() + 1;
        HashSet<int> specialIds = [.. roles.All.Select(r => r.Id), .. matched.Where(t => t.Special).Select(t => t.Id)];
        return new CausalLmTokenizer(inner, roles, specialIds, vocabSize, files, config.OriginalBytes);
    }

    private static LlamaTokenizer CreateSentencePiece(byte[] bytes, string path, IReadOnlyDictionary<string, int>? specialTokens)
    {
        try
        {
            // BOS/EOS are added by CausalLmTokenizer.Encode, the same way for every format.
            return LlamaTokenizer.Create(new MemoryStream(bytes, writable: false), addBeginOfSentence: false, addEndOfSentence: false, specialTokens);
        }
        catch (ArgumentException ex)
        {
            throw new NotSupportedException($"{path}: {ex.Message} XRight reads SentencePiece BPE models with the identity normalizer (Llama 1/2, TinyLlama).", ex);
        }
        catch (IOException ex)
        {
            throw new InvalidDataException($"{path}: not a SentencePiece model ({ex.Message})", ex);
        }
    }

    private static void CheckTemplateAgreesWithConfig(string? templateToken, string role, TokenizerConfig config, string location)
    {
        if (templateToken is not null && config.TryGetToken(role, out var configured) && configured != templateToken)
            throw new InvalidDataException($"{location}: the post-processor of tokenizer.json adds '{templateToken}' but the configuration sets {role} to '{configured}'.");
    }

    // One entry per token text; the same text with two ids is a contradiction between (or within) files.
    private static Dictionary<string, AddedToken> CombineAddedTokens(IEnumerable<(string File, AddedToken Token)> tokens)
    {
        var byContent = new Dictionary<string, (string File, AddedToken Token)>(StringComparer.Ordinal);
        foreach (var (file, token) in tokens)
        {
            if (token.Id < 0) throw new InvalidDataException($"{file}: added token '{token.Content}' has the negative id {token.Id}.");
            if (byContent.TryGetValue(token.Content, out var seen) && seen.Token.Id != token.Id)
                throw new InvalidDataException($"Added token '{token.Content}' has id {seen.Token.Id} in {seen.File} and {token.Id} in {file}.");
            byContent.TryAdd(token.Content, (file, token));
        }
        return byContent.ToDictionary(e => e.Key, e => e.Value.Token, StringComparer.Ordinal);
    }

    // The files a saved copy needs besides tokenizer_config.json: the model files named, if present,
    // and added_tokens.json, which contributes tokens.
    private static Dictionary<string, byte[]> KeptFiles(TokenizerSource source, params string[] names) =>
        names.Append(TokenizerSource.AddedTokensJson).Where(source.Has).ToDictionary(n => n, source.Read);
}
