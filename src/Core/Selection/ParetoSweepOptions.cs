using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// The sweep of a <see cref="ParetoSweep"/>. Defaults follow the paper's Pythia setting in spirit (ALRIGHT
/// and memory-efficient MAXRIGHT over λ, Sequential (T_DPO, T_SFT) baselines with the same total epochs,
/// selection by minimum ideal distance) with a smaller λ grid.
/// </summary>
public record ParetoSweepOptions
{
    /// <summary>Joint strategies to sweep over λ. Default: ALRIGHT and memory-efficient MAXRIGHT.</summary>
    public IReadOnlyList<JointStrategy> Strategies { get; init; } = [JointStrategy.AlRight, JointStrategy.MemoryEfficientMaxRight];

    /// <summary>λ values of the sweep, each in [0, 1]. Default: 0.25, 0.5, 0.75 (the paper uses 0.01, 0.25, 0.5, 0.75, 0.99 for Pythia).</summary>
    public IReadOnlyList<double> Lambdas { get; init; } = [0.25, 0.5, 0.75];

    /// <summary>
    /// Also train Sequential (T_DPO, T_SFT) = (n, E − n) for n = 1 … E − 1, with E the base options' Epochs,
    /// as baselines and as the runs resource increases are measured against. Default: true.
    /// </summary>
    public bool IncludeSequentialBaselines { get; init; } = true;

    /// <summary>
    /// The T_DPO values of the Sequential baselines, each in 1 … E − 1 (T_SFT = E − T_DPO); null for all
    /// of them. Default: null.
    /// </summary>
    public IReadOnlyList<int>? SequentialDpoEpochs { get; init; }

    /// <summary>How the model is chosen. Default: minimum distance to the ideal point.</summary>
    public SelectionRule Rule { get; init; } = SelectionRule.MinIdealDistance;

    /// <summary>f*_DPO; null to estimate it by a DPO-only run with the same budget.</summary>
    public double? DpoOptimum { get; init; }

    /// <summary>f*_SFT; null to estimate it by an SFT-only run with the same budget.</summary>
    public double? SftOptimum { get; init; }

    /// <summary>
    /// Folder for the sweep's models, checkpoints, shared reference and f* estimate. Default: a new folder
    /// under the system temp folder. Give one to keep the results and to resume a sweep.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// Reuse what an earlier sweep in <see cref="WorkingDirectory"/> finished (candidates and the f* estimate)
    /// when its content key matches — the same options, data, base model and tokenizer — and resume an
    /// interrupted candidate from its checkpoint; anything else is recomputed. False recomputes everything.
    /// Default: true.
    /// </summary>
    public bool Resume { get; init; } = true;

    /// <summary>
    /// Benchmarks run on every trained candidate, Sequential baselines included (the f* runs keep no model and
    /// are not benchmarked): <see cref="SweepBenchmark.Mmlu"/>, <see cref="SweepBenchmark.HellaSwag"/>,
    /// <see cref="SweepBenchmark.XsTest"/>, <see cref="SweepBenchmark.RewardWinRate"/> or the caller's own. Each result
    /// is cached under the working directory's <c>benchmarks/&lt;candidate&gt;/&lt;benchmark&gt;.json</c>, keyed by the
    /// candidate's content key and the benchmark's <see cref="SweepBenchmark.Identity"/>, so a resumed sweep runs only
    /// what is missing or changed. The candidate trainer must implement <see cref="ISweepModelLoader"/>. Default: none.
    /// </summary>
    public IReadOnlyList<SweepBenchmark> Benchmarks { get; init; } = [];

    /// <summary>
    /// The metrics of the overall ∆m% against the paired Sequential run (see <see cref="ParetoSelectionOptions.ImprovementMetrics"/>).
    /// Null: f_DPO, f_SFT and every benchmark's <see cref="SweepBenchmark.HeadlineMetrics"/> when there are benchmarks,
    /// and no overall ∆m% (only the one over f_DPO and f_SFT) when there are none. Default: null.
    /// </summary>
    public IReadOnlyList<SelectionMetric>? ImprovementMetrics { get; init; }

    /// <summary>The ∆m% metrics in effect: <see cref="ImprovementMetrics"/>, or the objectives and the benchmarks' headline metrics.</summary>
    internal IReadOnlyList<SelectionMetric>? EffectiveImprovementMetrics =>
        ImprovementMetrics ?? (Benchmarks is { Count: > 0 } ? [.. SelectionMetric.Objectives, .. Benchmarks.SelectMany(b => b.HeadlineMetrics)] : null);

    /// <summary>Checks the sweep against the base options' epochs; throws naming the option.</summary>
    internal void Validate(int epochs)
    {
        var name = GetType().Name;
        if (Strategies is null || Lambdas is null) throw new ArgumentException($"{name}: Strategies and Lambdas must not be null.");
        if (IncludeSequentialBaselines && SequentialDpoEpochs is { } splits)
            foreach (var n in splits)
                if (n < 1 || n >= epochs)
                    throw new ArgumentOutOfRangeException(nameof(SequentialDpoEpochs), n, $"{name}.SequentialDpoEpochs must lie in 1 … {epochs - 1} (the options' Epochs minus one).");
        if (Strategies.Any(s => s == JointStrategy.Sequential))
            throw new ArgumentException($"{name}.Strategies: Sequential is swept through IncludeSequentialBaselines, not λ.");
        if (Strategies.Any(s => !Enum.IsDefined(s)))
            throw new ArgumentException($"{name}.Strategies: every strategy must be a known one.");
        foreach (var lambda in Lambdas)
            if (lambda is < 0 or > 1 || double.IsNaN(lambda)) throw new ArgumentOutOfRangeException(nameof(Lambdas), lambda, $"{name}.Lambdas must lie in [0, 1].");
        if (Strategies.Count > 0 && Lambdas.Count == 0)
            throw new ArgumentException($"{name}.Lambdas is empty but Strategies lists {string.Join(", ", Strategies)}: give at least one λ, or clear Strategies to train the Sequential baselines only.", nameof(Lambdas));
        if (Lambdas.GroupBy(l => l).FirstOrDefault(g => g.Count() > 1) is { } lambdaTwice)
            throw new ArgumentException($"{name}.Lambdas lists λ = {lambdaTwice.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)} more than once; list each λ once.", nameof(Lambdas));
        if (Strategies.GroupBy(x => x).FirstOrDefault(g => g.Count() > 1) is { } strategyTwice)
            throw new ArgumentException($"{name}.Strategies lists {strategyTwice.Key} more than once; list each strategy once.", nameof(Strategies));
        if (IncludeSequentialBaselines && SequentialDpoEpochs?.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } splitTwice)
            throw new ArgumentException($"{name}.SequentialDpoEpochs lists {splitTwice.Key} more than once; list each split once.", nameof(SequentialDpoEpochs));
        if (Strategies.Count * Lambdas.Count == 0 && (!IncludeSequentialBaselines || epochs < 2))
            throw new ArgumentException($"{name}: the sweep has no candidates (no strategies or λ, and no Sequential baselines).");
        ArgumentNullException.ThrowIfNull(Rule, nameof(Rule));
        ValidateBenchmarks(name);
        if (DpoOptimum is { } d && !double.IsFinite(d)) throw new ArgumentOutOfRangeException(nameof(DpoOptimum), d, $"{name}.DpoOptimum must be finite.");
        if (SftOptimum is { } s && !double.IsFinite(s)) throw new ArgumentOutOfRangeException(nameof(SftOptimum), s, $"{name}.SftOptimum must be finite.");
    }

    // Benchmark names key files and metrics, so they are unique; the rule and ∆m% may read only metrics the sweep produces.
    private void ValidateBenchmarks(string name)
    {
        if (Benchmarks is null || Benchmarks.Any(b => b is null))
            throw new ArgumentException($"{name}.Benchmarks must not be null or hold null; leave it empty for no benchmarks.", nameof(Benchmarks));
        if (Benchmarks.GroupBy(b => b.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"{name}.Benchmarks lists the name '{twice.Key}' more than once; give each benchmark its own name.", nameof(Benchmarks));
        var available = SelectionMetric.Objectives.Concat(Benchmarks.SelectMany(b => b.Metrics)).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        string Known() => string.Join(", ", available.Order(StringComparer.Ordinal));
        if (ImprovementMetrics is { } improvement)
        {
            if (improvement.Count == 0 || improvement.Any(m => m is null))
                throw new ArgumentException($"{name}.ImprovementMetrics must list at least one metric and no null; set it to null for the default.", nameof(ImprovementMetrics));
            foreach (var metric in improvement)
                if (!available.Contains(metric.Name))
                    throw new ArgumentException($"{name}.ImprovementMetrics names '{metric.Name}', which the sweep does not evaluate; it evaluates: {Known()}.", nameof(ImprovementMetrics));
        }
        foreach (var metric in Rule.Metrics)
            if (!metric.IsDerived && !available.Contains(metric.Name))
                throw new ArgumentException($"{name}.Rule '{Rule.Description}' reads '{metric.Name}', which the sweep does not evaluate; it evaluates: {Known()}.", nameof(Rule));
    }
}
