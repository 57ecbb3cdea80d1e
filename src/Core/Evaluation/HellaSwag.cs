using System.Text.RegularExpressions;
using XRight.Modeling;
using XRight.Text;

namespace XRight.Evaluation;

/// <summary>
/// HellaSwag's query and choices as lm-evaluation-harness builds them (<c>hellaswag/utils.py</c>, v0.4.3):
/// <c>query = preprocess(activity_label + ": " + ctx_a + " " + capitalize(ctx_b))</c> and
/// <c>choices = [preprocess(e) for e in endings]</c>.
/// </summary>
public static partial class HellaSwagPrompts
{
    /// <summary>
    /// The harness's <c>preprocess</c>, in order: strip; <c>" [title]"</c> → <c>". "</c>; delete every
    /// non-greedy <c>[…]</c> span (not across lines); <c>"  "</c> → <c>" "</c> in one pass. Nothing is stripped
    /// afterwards, so an ending that began with <c>[title]</c> keeps a leading space.
    /// </summary>
    public static string Preprocess(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = PythonText.Strip(text);
        text = text.Replace(" [title]", ". ", StringComparison.Ordinal);
        text = BracketSpan().Replace(text, "");
        return text.Replace("  ", " ", StringComparison.Ordinal);
    }

    /// <summary>The harness's context before clean-up: <c>ctx_a + " " + ctx_b.capitalize()</c> (Python's capitalize lower-cases the rest).</summary>
    public static string Context(string ctxA, string ctxB)
    {
        ArgumentNullException.ThrowIfNull(ctxA);
        ArgumentNullException.ThrowIfNull(ctxB);
        return ctxA + " " + PythonText.Capitalize(ctxB);
    }

    /// <summary>The harness's query of a row, built from its source fields.</summary>
    public static string BuildQuery(HellaSwagItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Preprocess(item.ActivityLabel + ": " + Context(item.CtxA, item.CtxB));
    }

    /// <summary>The harness's choices of a row, built from its endings.</summary>
    public static IReadOnlyList<string> BuildChoices(HellaSwagItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Endings.Select(Preprocess).ToList();
    }

    [GeneratedRegex(@"\[.*?\]", RegexOptions.CultureInvariant)]
    private static partial Regex BracketSpan();
}

/// <summary>How <see cref="HellaSwagBenchmark"/> scores.</summary>
public sealed record HellaSwagOptions
{
    /// <summary>
    /// Use the file's <c>query</c> and <c>choices</c> when a row has them (true), or always build them from the
    /// source fields (false). Default: true.
    /// </summary>
    public bool UseFileStrings { get; init; } = true;

    /// <summary>Tokenization and batching of the scorer.</summary>
    public MultipleChoiceScorerOptions Scoring { get; init; } = new();
}

/// <summary>
/// HellaSwag, 0-shot, as lm-evaluation-harness scores it: for each row, the log-likelihood <c>ll_i</c> of
/// <c>" " + choices[i]</c> after <c>query</c>; <c>acc</c> counts rows whose argmax of <c>ll_i</c> is the label,
/// <c>acc_norm</c> rows whose argmax of <c>ll_i / len(choices[i])</c> is (the length in characters of the
/// cleaned choice, without the delimiter space).
/// </summary>
public sealed class HellaSwagBenchmark
{
    private readonly IReadOnlyList<HellaSwagItem> _items;

    /// <summary>A benchmark over <paramref name="items"/>.</summary>
    /// <exception cref="ArgumentException">There are no rows.</exception>
    public HellaSwagBenchmark(IReadOnlyList<HellaSwagItem> items, HellaSwagOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("There are no HellaSwag rows.", nameof(items));
        _items = items;
        Options = options ?? new HellaSwagOptions();
    }

    /// <summary>The benchmark's name in results: <c>hellaswag</c>.</summary>
    public const string Name = "hellaswag";

    /// <summary>The options in effect.</summary>
    public HellaSwagOptions Options { get; }

    /// <summary>The query (context) of a row.</summary>
    public string QueryOf(HellaSwagItem item) => Options.UseFileStrings && item.Query is { } query ? query : HellaSwagPrompts.BuildQuery(item);

    /// <summary>The cleaned choices of a row.</summary>
    public IReadOnlyList<string> ChoicesOf(HellaSwagItem item) => Options.UseFileStrings && item.Choices is { } choices ? choices : HellaSwagPrompts.BuildChoices(item);

    /// <summary>The settings that determine the result for <paramref name="model"/> and <paramref name="tokenizer"/>.</summary>
    public IReadOnlyDictionary<string, string> Settings(CausalLm model, CausalLmTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var settings = new Dictionary<string, string>
        {
            ["strings"] = Options.UseFileStrings ? "file" : "built",
            ["shots"] = "0",
            ["target_delimiter"] = " ",
            ["acc_norm_length"] = "characters",
            ["data"] = EvaluationData.Hash(_items),
        };
        foreach (var (key, value) in MultipleChoiceScorer.SettingsFor(model, tokenizer, Options.Scoring)) settings[key] = value;
        return settings;
    }

    /// <summary>Scores every row with <paramref name="model"/>.</summary>
    public BenchmarkResult Evaluate(CausalLm model, CausalLmTokenizer tokenizer)
    {
        var scorer = new MultipleChoiceScorer(model, tokenizer, Options.Scoring);
        var choices = _items.Select(ChoicesOf).ToList();
        var requests = _items.SelectMany((item, i) => choices[i].Select(c => new LoglikelihoodRequest(QueryOf(item), " " + c))).ToList();
        var scores = scorer.Score(requests);
        var logLikelihoods = new List<double[]>();
        int next = 0;
        foreach (var rowChoices in choices)
        {
            logLikelihoods.Add(scores.Skip(next).Take(rowChoices.Count).Select(s => s.LogLikelihood).ToArray());
            next += rowChoices.Count;
        }
        return Summarize(logLikelihoods, Settings(model, tokenizer));
    }

    /// <summary>The result for the log-likelihoods of each row's choices (rows in order).</summary>
    /// <exception cref="ArgumentException">The rows or their choices do not match the benchmark's.</exception>
    public BenchmarkResult Summarize(IReadOnlyList<IReadOnlyList<double>> logLikelihoods, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(logLikelihoods);
        ArgumentNullException.ThrowIfNull(settings);
        if (logLikelihoods.Count != _items.Count) throw new ArgumentException($"There are log-likelihoods for {logLikelihoods.Count} rows, not {_items.Count}.", nameof(logLikelihoods));
        int correct = 0, correctNormalized = 0;
        for (int i = 0; i < _items.Count; i++)
        {
            var choices = ChoicesOf(_items[i]);
            if (MultipleChoiceMetrics.ArgMax(logLikelihoods[i]) == _items[i].Label) correct++;
            if (MultipleChoiceMetrics.NormalizedArgMax(logLikelihoods[i], choices) == _items[i].Label) correctNormalized++;
        }
        return new BenchmarkResult
        {
            Benchmark = Name,
            Metrics = new Dictionary<string, double> { ["acc"] = (double)correct / _items.Count, ["acc_norm"] = (double)correctNormalized / _items.Count },
            Counts = new Dictionary<string, long> { ["rows"] = _items.Count, ["correct"] = correct, ["correct_norm"] = correctNormalized },
            Settings = new Dictionary<string, string>(settings),
        };
    }
}
