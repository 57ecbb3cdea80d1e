using System.Globalization;
using XRight.Modeling;
using XRight.Modeling.Generation;
using XRight.Text;

namespace XRight.Evaluation;

/// <summary>
/// How the generation-based benchmarks (XSTest, reward-model win rate) obtain a model's responses: the
/// prompt is wrapped in <see cref="Template"/>, encoded with the tokenizer's special tokens (BOS where the
/// tokenizer adds one), continued by <c>CausalLm.Generate</c> with <see cref="Generation"/>, and decoded
/// without special tokens. Every setting is recorded with the result.
/// </summary>
public sealed record CompletionOptions
{
    /// <summary>The generation settings. Default: greedy, up to 256 new tokens, stopping at EOS.</summary>
    public GenerationOptions Generation { get; init; } = new() { MaxNewTokens = 256 };

    /// <summary>
    /// The prompt template; its end-of-turn marker (if any) is added to the stop strings.
    /// Default: <see cref="PromptTemplate.Default"/> (<c>"User: {prompt}\nAssistant: "</c>).
    /// </summary>
    public PromptTemplate Template { get; init; } = PromptTemplate.Default;

    /// <summary>Prompts generated together (left-padded into one batch). Default: 16.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The settings as recorded in a <see cref="BenchmarkResult"/>.</summary>
    internal IEnumerable<KeyValuePair<string, string>> Settings()
    {
        var g = Generation;
        yield return new("template", Template.ToString());
        yield return new("max_new_tokens", g.MaxNewTokens.ToString(CultureInfo.InvariantCulture));
        yield return new("decoding", g.Temperature == 0 ? "greedy" : "sampling");
        yield return new("temperature", g.Temperature.ToString("R", CultureInfo.InvariantCulture));
        yield return new("top_p", g.TopP.ToString("R", CultureInfo.InvariantCulture));
        if (g.Temperature > 0)
        {
            yield return new("seed", g.Seed.ToString(CultureInfo.InvariantCulture));
            yield return new("batch_size", BatchSize.ToString(CultureInfo.InvariantCulture)); // a row's generator depends on its place in the batch
        }
        yield return new("stop_strings", string.Join("|", StopStrings()));
        yield return new("stop_token_ids", g.StopTokenIds is null ? "eos" : string.Join(",", g.StopTokenIds));
    }

    /// <summary>The responses of <paramref name="model"/> to <paramref name="prompts"/>, in order.</summary>
    /// <exception cref="ArgumentException">The batch size is not positive, or a prompt encodes to no tokens.</exception>
    internal IReadOnlyList<string> Complete(CausalLm model, CausalLmTokenizer tokenizer, IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompts);
        if (BatchSize <= 0) throw new ArgumentException($"CompletionOptions.BatchSize must be positive, found {BatchSize}.");
        var options = Generation with { StopStrings = StopStrings() };
        var responses = new List<string>(prompts.Count);
        foreach (var chunk in prompts.Chunk(BatchSize))
        {
            var encoded = chunk.Select(p => tokenizer.Encode(Template.Apply(p), addSpecialTokens: true)).ToList();
            foreach (var sequence in model.Generate(encoded, options, tokenizer))
                responses.Add(tokenizer.Decode(sequence.TokenIds, skipSpecialTokens: true));
        }
        return responses;
    }

    private IReadOnlyList<string> StopStrings() =>
        Template.EndOfTurnToken is { } end && !Generation.StopStrings.Contains(end) ? [.. Generation.StopStrings, end] : Generation.StopStrings;
}
