using XRight.Runtime;
using static TorchSharp.torch;

namespace XRight.Modeling.Generation;

/// <summary>
/// Batch decoding: prompts are left-padded so every row's next token sits in the last column, the
/// prompt goes through the model once, and each later step feeds one token per row through the KV cache.
/// </summary>
internal sealed class GenerationLoop
{
    private readonly CausalLm _model;
    private readonly GenerationOptions _options;
    private readonly HashSet<int> _stopTokens;
    private readonly StopStringMatcher? _stopStrings;

    public GenerationLoop(CausalLm model, GenerationOptions options, Func<IReadOnlyList<int>, string>? decode, IReadOnlyList<int> stopTokens)
    {
        options.Validate();
        if (options.StopStrings.Count > 0 && decode is null)
            throw new ArgumentException("GenerationOptions.StopStrings needs a decoder to turn tokens into text; pass one.", nameof(decode));
        _model = model;
        _options = options;
        _stopTokens = [.. stopTokens];
        _stopStrings = options.StopStrings.Count > 0 ? new StopStringMatcher(options.StopStrings, decode!) : null;
    }

    public IReadOnlyList<GeneratedSequence> Run(IReadOnlyList<int[]> prompts)
    {
        ValidatePrompts(prompts);
        int rows = prompts.Count, promptLength = prompts.Max(p => p.Length);
        var random = Enumerable.Range(0, rows).Select(r => new SeededRandom(SeedDerivation.Derive(_options.Seed, $"generation-row-{r}"))).ToArray();
        var generated = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
        var reasons = new GenerationStopReason?[rows];

        // Left padding: row r's prompt ends in the last column; the pad id is masked out, any valid id does.
        var ids = new long[rows * promptLength];
        var promptMask = new long[rows * promptLength];
        for (int r = 0; r < rows; r++)
        {
            int offset = r * promptLength + promptLength - prompts[r].Length;
            for (int i = 0; i < prompts[r].Length; i++)
            {
                ids[offset + i] = prompts[r][i];
                promptMask[offset + i] = 1;
            }
        }

        var device = _model.Device;
        using var cache = new KvCache();
        using var noGrad = no_grad();
        var input = ids;
        for (int step = 0; step < _options.MaxNewTokens && reasons.Any(r => r is null); step++)
        {
            float[] logits;
            using (NewDisposeScope())
            {
                var inputIds = tensor(input, [rows, input.Length / rows], ScalarType.Int64, device);
                var mask = cat([tensor(promptMask, [rows, promptLength], ScalarType.Int64, device), ones([rows, step], ScalarType.Int64, device)], 1);
                var hidden = _model.ForwardHidden(inputIds, mask, cache);
                var last = hidden.narrow(1, hidden.shape[1] - 1, 1).squeeze(1);
                logits = _model.ComputeLogits(last).to(ScalarType.Float32).cpu().data<float>().ToArray();
            }

            int vocab = logits.Length / rows;
            input = new long[rows];
            for (int r = 0; r < rows; r++)
            {
                if (reasons[r] is not null) continue; // finished rows keep being fed a token; their output is ignored
                int token = TokenSampler.Next(logits.AsSpan(r * vocab, vocab), _options.Temperature, _options.TopP, random[r]);
                input[r] = token;
                reasons[r] = Accept(generated[r], token);
                if (reasons[r] is null && generated[r].Count == _options.MaxNewTokens) reasons[r] = GenerationStopReason.MaxNewTokens;
            }
        }
        return generated.Select((tokens, r) => new GeneratedSequence([.. tokens], reasons[r]!.Value)).ToList();
    }

    // Adds the token to the row unless it ends the row; returns why the row ended, or null.
    private GenerationStopReason? Accept(List<int> tokens, int token)
    {
        if (_stopTokens.Contains(token)) return GenerationStopReason.StopToken;
        tokens.Add(token);
        if (_stopStrings?.TokensToKeep(tokens) is not { } keep) return null;
        tokens.RemoveRange(keep, tokens.Count - keep);
        return GenerationStopReason.StopString;
    }

    private void ValidatePrompts(IReadOnlyList<int[]> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("At least one prompt is needed.", nameof(prompts));
        for (int r = 0; r < prompts.Count; r++)
        {
            if (prompts[r] is not { Length: > 0 }) throw new ArgumentException($"Prompt {r} is empty; start it with at least one token (e.g. BOS).", nameof(prompts));
            int bad = Array.FindIndex(prompts[r], id => id < 0 || id >= _model.Config.VocabSize);
            if (bad >= 0) throw new ArgumentOutOfRangeException(nameof(prompts), $"Prompt {r} has token {prompts[r][bad]} at position {bad}, outside the vocabulary [0, {_model.Config.VocabSize}).");
        }
    }
}
