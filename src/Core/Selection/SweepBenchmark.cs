using System.Globalization;
using XRight.Evaluation;
using XRight.Modeling;
using XRight.Text;

namespace XRight.Selection;

/// <summary>
/// A benchmark a <see cref="ParetoSweep"/> runs on every trained candidate (joint runs and Sequential
/// baselines): MMLU k-shot, HellaSwag, XSTest or the reward-model win rate of <c>XRight.Evaluation</c>, with its
/// data and settings. Its <see cref="Name"/> keys its results in <see cref="SelectionCandidate.Benchmarks"/> and
/// names its metrics (<c>"mmlu/acc"</c>); its <see cref="Identity"/> (a hash of the data and every setting that
/// changes results) keys the cached result of each candidate, so a changed setting recomputes only this benchmark.
/// </summary>
public abstract class SweepBenchmark
{
    /// <summary>A benchmark named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or not made of lower-case letters, digits, '_', '-' and '.' (it names files).</exception>
    protected SweepBenchmark(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.') || name[0] == '.')
            throw new ArgumentException($"A sweep benchmark's name is made of a-z, 0-9, '_', '-' and '.' and does not start with '.' (it names the cache files); found '{name}'.", nameof(name));
        Name = name;
    }

    /// <summary>The name within the sweep, for example <c>mmlu</c>; unique among the sweep's benchmarks.</summary>
    public string Name { get; }

    /// <summary>A content hash of the data and of every setting that changes the result (not of the model).</summary>
    public abstract string Identity { get; }

    /// <summary>Every metric the benchmark reports, named <c>"&lt;Name&gt;/&lt;key&gt;"</c>, with its direction.</summary>
    public abstract IReadOnlyList<SelectionMetric> Metrics { get; }

    /// <summary>The headline metrics, which the sweep's overall ∆m% takes by default (for example <c>mmlu/acc</c>).</summary>
    public abstract IReadOnlyList<SelectionMetric> HeadlineMetrics { get; }

    /// <summary>Runs the benchmark on <paramref name="model"/> with <paramref name="tokenizer"/>.</summary>
    public abstract BenchmarkResult Evaluate(CausalLm model, CausalLmTokenizer tokenizer);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>MMLU k-shot accuracy (<see cref="MmluBenchmark"/>): metrics <c>acc</c> and <c>acc/&lt;subject&gt;</c>; headline <c>acc</c>.</summary>
    public static SweepBenchmark Mmlu(IReadOnlyList<MmluQuestion> dev, IReadOnlyList<MmluQuestion> test, MmluOptions? options = null, string name = MmluBenchmark.Name)
    {
        var benchmark = new MmluBenchmark(dev, test, options);
        var o = benchmark.Options;
        var identity = IdentityOf(MmluBenchmark.Name, [
            new("format", o.Format.ToString()),
            new("shots", o.Shots.ToString(CultureInfo.InvariantCulture)),
            new("data", EvaluationData.Hash(dev) + "-" + EvaluationData.Hash(test)),
            .. ScoringSettings(o.Scoring)]);
        var subjects = test.Select(q => q.Subject).Distinct().Order(StringComparer.Ordinal).Select(s => ("acc/" + s, false));
        return new LibraryBenchmark(name, identity, [("acc", false), .. subjects], "acc", (model, tokenizer) => benchmark.Evaluate(model, tokenizer));
    }

    /// <summary>HellaSwag 0-shot (<see cref="HellaSwagBenchmark"/>): metrics <c>acc</c> and <c>acc_norm</c>; headline <c>acc_norm</c>.</summary>
    public static SweepBenchmark HellaSwag(IReadOnlyList<HellaSwagItem> items, HellaSwagOptions? options = null, string name = HellaSwagBenchmark.Name)
    {
        var benchmark = new HellaSwagBenchmark(items, options);
        var identity = IdentityOf(HellaSwagBenchmark.Name, [
            new("strings", benchmark.Options.UseFileStrings ? "file" : "built"),
            new("data", EvaluationData.Hash(items)),
            .. ScoringSettings(benchmark.Options.Scoring)]);
        return new LibraryBenchmark(name, identity, [("acc", false), ("acc_norm", false)], "acc_norm", (model, tokenizer) => benchmark.Evaluate(model, tokenizer));
    }

    /// <summary>
    /// XSTest (<see cref="XsTestBenchmark"/>): metrics <c>safe_full_compliance_rate</c> and <c>unsafe_full_refusal_rate</c>
    /// (higher is better) and their complements (lower is better); headline <c>safe_full_compliance_rate</c> (the paper's "XSTest ↑").
    /// </summary>
    public static SweepBenchmark XsTest(IReadOnlyList<XsTestPrompt> prompts, XsTestOptions? options = null, string name = XsTestBenchmark.Name)
    {
        var benchmark = new XsTestBenchmark(prompts, options);
        return new LibraryBenchmark(name, IdentityOf(XsTestBenchmark.Name, benchmark.Settings),
            [("safe_full_compliance_rate", false), ("unsafe_full_refusal_rate", false), ("safe_full_refusal_rate", true), ("unsafe_full_compliance_rate", true)],
            "safe_full_compliance_rate", (model, tokenizer) => benchmark.Evaluate(model, tokenizer));
    }

    /// <summary>
    /// Reward-model win rate against the chosen responses (<see cref="RewardWinRateBenchmark"/>) judged by
    /// <paramref name="rewardModel"/> (which the caller keeps and disposes): metrics <c>win_rate</c>,
    /// <c>mean_reward_generated</c>, <c>mean_reward_chosen</c>; headline <c>win_rate</c>.
    /// </summary>
    public static SweepBenchmark RewardWinRate(IReadOnlyList<WinRateItem> items, RewardModel rewardModel, WinRateOptions? options = null, string name = RewardWinRateBenchmark.Name)
    {
        ArgumentNullException.ThrowIfNull(rewardModel);
        var benchmark = new RewardWinRateBenchmark(items, options);
        // The reward model's weights are part of the settings, hashed once here.
        return new LibraryBenchmark(name, IdentityOf(RewardWinRateBenchmark.Name, benchmark.Settings(rewardModel)),
            [("win_rate", false), ("mean_reward_generated", false), ("mean_reward_chosen", false)],
            "win_rate", (model, tokenizer) => benchmark.Evaluate(model, tokenizer, rewardModel));
    }

    /// <summary>A hash of the benchmark kind and its settings (in key order): a ready-made <see cref="Identity"/> for subclasses.</summary>
    protected static string IdentityOf(string kind, IEnumerable<KeyValuePair<string, string>> settings) =>
        Fingerprint.Combine([kind, .. settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => new[] { kv.Key, kv.Value })]);

    private protected SelectionMetric Metric(string key, bool lowerIsBetter = false) => SelectionMetric.Benchmark(Name, key, lowerIsBetter);

    // The scorer's settings that change results (its batch size changes only speed and memory).
    private protected static IEnumerable<KeyValuePair<string, string>> ScoringSettings(MultipleChoiceScorerOptions scoring)
    {
        yield return new("max_length", scoring.MaxLength?.ToString(CultureInfo.InvariantCulture) ?? "model");
        yield return new("add_special_tokens", scoring.AddSpecialTokens ? "true" : "false");
        yield return new("prefix_token_id", scoring.PrefixTokenId?.ToString(CultureInfo.InvariantCulture) ?? "tokenizer");
    }

    /// <summary>One of the library's benchmarks: its identity and metrics fixed when it is made, its evaluation delegated.</summary>
    private sealed class LibraryBenchmark : SweepBenchmark
    {
        private readonly Func<CausalLm, CausalLmTokenizer, BenchmarkResult> _evaluate;

        public LibraryBenchmark(string name, string identity, IReadOnlyList<(string Key, bool LowerIsBetter)> metrics, string headline,
            Func<CausalLm, CausalLmTokenizer, BenchmarkResult> evaluate) : base(name)
        {
            Identity = identity;
            Metrics = metrics.Select(m => Metric(m.Key, m.LowerIsBetter)).ToArray();
            HeadlineMetrics = [Metric(headline)];
            _evaluate = evaluate;
        }

        public override string Identity { get; }

        public override IReadOnlyList<SelectionMetric> Metrics { get; }

        public override IReadOnlyList<SelectionMetric> HeadlineMetrics { get; }

        public override BenchmarkResult Evaluate(CausalLm model, CausalLmTokenizer tokenizer) => _evaluate(model, tokenizer);
    }
}
