using System.Globalization;
using System.Text;
using XRight.Modeling;
using XRight.Text;

namespace XRight.Evaluation;

/// <summary>The two MMLU prompt conventions.</summary>
public enum MmluPromptFormat
{
    /// <summary>
    /// lm-evaluation-harness (v0.4.3): header <c>"The following are multiple choice questions (with answers) about
    /// world religions.\n\n"</c>, questions stripped, shots joined by <c>"\n\n"</c>.
    /// </summary>
    Harness,

    /// <summary>
    /// The original <c>hendrycks/test</c> <c>evaluate.py</c>: header with two spaces after "about" (each subject
    /// word is preceded by a space), questions as in the CSV, and shots dropped while the prompt is too long.
    /// </summary>
    Original,
}

/// <summary>How <see cref="MmluBenchmark"/> prompts and scores.</summary>
public sealed record MmluOptions
{
    /// <summary>Worked examples before each question, the first ones of the subject's dev rows (<c>first_n</c>). Default: 1, as the paper reports MMLU.</summary>
    public int Shots { get; init; } = 1;

    /// <summary>The prompt convention. Default: <see cref="MmluPromptFormat.Harness"/>.</summary>
    public MmluPromptFormat Format { get; init; } = MmluPromptFormat.Harness;

    /// <summary>Tokenization and batching of the scorer.</summary>
    public MultipleChoiceScorerOptions Scoring { get; init; } = new();
}

/// <summary>The MMLU prompts of both conventions, character for character.</summary>
public static class MmluPrompts
{
    /// <summary>The answer letters; the continuations scored are these after a space.</summary>
    public static IReadOnlyList<string> Letters { get; } = ["A", "B", "C", "D"];

    /// <summary>
    /// The header naming the subject: <c>"The following are multiple choice questions (with answers) about abstract algebra.\n\n"</c>
    /// (harness), or with <c>"about  abstract algebra."</c> (original: every subject word is preceded by a space).
    /// </summary>
    public static string Header(string subject, MmluPromptFormat format)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var words = subject.Split('_');
        // The original formats "about {}." with format_subject, which puts a space before every word.
        string named = format == MmluPromptFormat.Harness ? string.Join(" ", words) : string.Concat(words.Select(w => " " + w));
        return "The following are multiple choice questions (with answers) about " + named + ".\n\n";
    }

    /// <summary>
    /// One question with its options and <c>"\nAnswer:"</c>; with <paramref name="includeAnswer"/>, followed by
    /// <c>" " + letter + "\n\n"</c>. The harness strips the question (Python's <c>strip</c>); the original does not.
    /// </summary>
    /// <exception cref="ArgumentException">The question has other than four options.</exception>
    public static string Example(MmluQuestion question, MmluPromptFormat format, bool includeAnswer)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (question.Choices.Count != Letters.Count) throw new ArgumentException($"An MMLU question has {Letters.Count} options, found {question.Choices.Count}.", nameof(question));
        var text = new StringBuilder(format == MmluPromptFormat.Harness ? PythonText.Strip(question.Question) : question.Question);
        for (int i = 0; i < Letters.Count; i++) text.Append('\n').Append(Letters[i]).Append(". ").Append(question.Choices[i]);
        text.Append("\nAnswer:");
        if (includeAnswer) text.Append(' ').Append(Letters[question.Answer]).Append("\n\n");
        return text.ToString();
    }

    /// <summary>The whole prompt: header, each shot with its answer, then <paramref name="question"/> up to <c>"Answer:"</c>.</summary>
    public static string Build(MmluQuestion question, IReadOnlyList<MmluQuestion> shots, MmluPromptFormat format)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(shots);
        var text = new StringBuilder(Header(question.Subject, format));
        foreach (var shot in shots) text.Append(Example(shot, format, includeAnswer: true));
        return text.Append(Example(question, format, includeAnswer: false)).ToString();
    }

    /// <summary>The continuations scored: <c>" A"</c> … <c>" D"</c>.</summary>
    public static IReadOnlyList<string> Continuations { get; } = [.. Letters.Select(l => " " + l)];
}

/// <summary>
/// MMLU k-shot accuracy by log-likelihood: for each test question, the prompt of <see cref="MmluOptions.Format"/>
/// with the first <see cref="MmluOptions.Shots"/> dev rows of its subject, then the argmax over the
/// log-likelihoods of <c>" A"</c>, <c>" B"</c>, <c>" C"</c>, <c>" D"</c>. <c>acc</c> is over all test questions;
/// <c>acc/&lt;subject&gt;</c> per subject.
/// </summary>
public sealed class MmluBenchmark
{
    private readonly IReadOnlyList<MmluQuestion> _dev;
    private readonly IReadOnlyList<MmluQuestion> _test;

    /// <summary>A benchmark over <paramref name="test"/>, with shots from <paramref name="dev"/>.</summary>
    /// <exception cref="ArgumentException">There are no test questions, the shot count is negative, or a subject has fewer dev rows than shots.</exception>
    public MmluBenchmark(IReadOnlyList<MmluQuestion> dev, IReadOnlyList<MmluQuestion> test, MmluOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dev);
        ArgumentNullException.ThrowIfNull(test);
        Options = options ?? new MmluOptions();
        if (test.Count == 0) throw new ArgumentException("There are no test questions.", nameof(test));
        if (Options.Shots < 0) throw new ArgumentException($"MmluOptions.Shots must not be negative, found {Options.Shots}.", nameof(options));
        foreach (var subject in test.Select(q => q.Subject).Distinct())
        {
            int available = dev.Count(q => q.Subject == subject);
            if (available < Options.Shots)
                throw new ArgumentException($"Subject '{subject}' has {available} dev rows, fewer than the {Options.Shots} shots asked for.", nameof(dev));
        }
        _dev = dev;
        _test = test;
    }

    /// <summary>The benchmark's name in results: <c>mmlu</c>.</summary>
    public const string Name = "mmlu";

    /// <summary>The options in effect.</summary>
    public MmluOptions Options { get; }

    /// <summary>The shots for a question of <paramref name="subject"/>: its first <see cref="MmluOptions.Shots"/> dev rows, in file order.</summary>
    public IReadOnlyList<MmluQuestion> ShotsFor(string subject) => _dev.Where(q => q.Subject == subject).Take(Options.Shots).ToList();

    /// <summary>
    /// The prompt of a test question. In the original format, shots are dropped while the prompt has more
    /// tokens than <paramref name="maxTokens"/> (the original script's crop); the harness format keeps them
    /// and the scorer truncates from the left.
    /// </summary>
    public string Prompt(MmluQuestion question, CausalLmTokenizer? tokenizer = null, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(question);
        var shots = ShotsFor(question.Subject);
        var prompt = MmluPrompts.Build(question, shots, Options.Format);
        if (Options.Format == MmluPromptFormat.Original && tokenizer is not null)
        {
            for (int k = shots.Count - 1; k >= 0 && tokenizer.Encode(prompt, Options.Scoring.AddSpecialTokens).Length > maxTokens; k--)
                prompt = MmluPrompts.Build(question, shots.Take(k).ToList(), Options.Format);
        }
        return prompt;
    }

    /// <summary>The settings that determine the result for <paramref name="model"/> and <paramref name="tokenizer"/>: the cache key's and the result's.</summary>
    public IReadOnlyDictionary<string, string> Settings(CausalLm model, CausalLmTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var settings = new Dictionary<string, string>
        {
            ["format"] = Options.Format == MmluPromptFormat.Harness ? "harness" : "original",
            ["shots"] = Options.Shots.ToString(CultureInfo.InvariantCulture),
            ["fewshot_sampler"] = "first_n",
            ["continuations"] = string.Join("|", MmluPrompts.Continuations),
            ["metric"] = "acc",
            ["data"] = EvaluationData.Hash(_dev) + "-" + EvaluationData.Hash(_test),
        };
        foreach (var (key, value) in MultipleChoiceScorer.SettingsFor(model, tokenizer, Options.Scoring)) settings[key] = value;
        return settings;
    }

    /// <summary>Scores every test question with <paramref name="model"/>.</summary>
    public BenchmarkResult Evaluate(CausalLm model, CausalLmTokenizer tokenizer)
    {
        var scorer = new MultipleChoiceScorer(model, tokenizer, Options.Scoring);
        var requests = _test.SelectMany(q =>
        {
            var prompt = Prompt(q, tokenizer, scorer.MaxLength);
            return MmluPrompts.Continuations.Select(c => new LoglikelihoodRequest(prompt, c));
        }).ToList();
        var scores = scorer.Score(requests);
        var predictions = _test.Select((q, i) => MultipleChoiceMetrics.ArgMax(
            scores.Skip(i * MmluPrompts.Letters.Count).Take(MmluPrompts.Letters.Count).Select(s => s.LogLikelihood).ToArray())).ToList();
        return Summarize(predictions, Settings(model, tokenizer));
    }

    /// <summary>The result for predicted option indices, one per test question in order.</summary>
    /// <exception cref="ArgumentException">There are not as many predictions as test questions.</exception>
    public BenchmarkResult Summarize(IReadOnlyList<int> predictions, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(settings);
        if (predictions.Count != _test.Count) throw new ArgumentException($"There are {predictions.Count} predictions for {_test.Count} questions.", nameof(predictions));
        var metrics = new Dictionary<string, double>();
        var counts = new Dictionary<string, long>();
        int correct = _test.Where((q, i) => predictions[i] == q.Answer).Count();
        metrics["acc"] = (double)correct / _test.Count;
        counts["questions"] = _test.Count;
        counts["correct"] = correct;
        foreach (var subject in _test.Select(q => q.Subject).Distinct().Order(StringComparer.Ordinal))
        {
            var rows = _test.Select((q, i) => (q, i)).Where(x => x.q.Subject == subject).ToList();
            int right = rows.Count(x => predictions[x.i] == x.q.Answer);
            metrics["acc/" + subject] = (double)right / rows.Count;
            counts["questions/" + subject] = rows.Count;
            counts["correct/" + subject] = right;
        }
        return new BenchmarkResult { Benchmark = Name, Metrics = metrics, Counts = counts, Settings = new Dictionary<string, string>(settings) };
    }
}
