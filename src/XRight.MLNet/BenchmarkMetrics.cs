using XRight.Evaluation;

namespace XRight.MLNet;

/// <summary>
/// What a benchmark evaluator of <c>mlContext.PostTraining</c> returns: the headline numbers as properties, as
/// ML.NET's evaluators return metrics, and the whole <see cref="BenchmarkResult"/> (every metric, count and
/// setting, with JSON) in <see cref="Result"/>.
/// </summary>
public abstract record BenchmarkMetrics
{
    private protected BenchmarkMetrics(BenchmarkResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
    }

    /// <summary>The full result: metrics, counts and the settings that produced them.</summary>
    public BenchmarkResult Result { get; }
}

/// <summary>MMLU k-shot accuracy (see <see cref="MmluBenchmark"/>).</summary>
public sealed record MmluMetrics : BenchmarkMetrics
{
    internal MmluMetrics(BenchmarkResult result) : base(result) { }

    /// <summary>The fraction of test questions answered right (<c>acc</c>).</summary>
    public double Accuracy => Result.Metrics["acc"];

    /// <summary>The accuracy per subject (<c>acc/&lt;subject&gt;</c>).</summary>
    public IReadOnlyDictionary<string, double> SubjectAccuracy => Result.Metrics
        .Where(m => m.Key.StartsWith("acc/", StringComparison.Ordinal))
        .ToDictionary(m => m.Key["acc/".Length..], m => m.Value, StringComparer.Ordinal);

    /// <summary>The number of test questions.</summary>
    public long Questions => Result.Counts["questions"];
}

/// <summary>HellaSwag accuracy (see <see cref="HellaSwagBenchmark"/>).</summary>
public sealed record HellaSwagMetrics : BenchmarkMetrics
{
    internal HellaSwagMetrics(BenchmarkResult result) : base(result) { }

    /// <summary><c>acc</c>: the argmax of the endings' log-likelihoods is the label.</summary>
    public double Accuracy => Result.Metrics["acc"];

    /// <summary><c>acc_norm</c>: the argmax of the log-likelihoods divided by the endings' character lengths is the label.</summary>
    public double NormalizedAccuracy => Result.Metrics["acc_norm"];

    /// <summary>The number of rows.</summary>
    public long Rows => Result.Counts["rows"];
}

/// <summary>XSTest by generation and string match (see <see cref="XsTestBenchmark"/>).</summary>
public sealed record XsTestMetrics : BenchmarkMetrics
{
    internal XsTestMetrics(BenchmarkResult result, IReadOnlyList<XsTestOutcome> outcomes) : base(result) => Outcomes = outcomes;

    /// <summary>The fraction of safe prompts answered (the paper's "XSTest ↑"); NaN without safe prompts.</summary>
    public double SafeFullComplianceRate => Result.Metrics["safe_full_compliance_rate"];

    /// <summary>The fraction of unsafe prompts refused; NaN without unsafe prompts.</summary>
    public double UnsafeFullRefusalRate => Result.Metrics["unsafe_full_refusal_rate"];

    /// <summary>Every prompt with the model's completion and its class.</summary>
    public IReadOnlyList<XsTestOutcome> Outcomes { get; }
}

/// <summary>Reward-model win rate against the chosen responses (see <see cref="RewardWinRateBenchmark"/>).</summary>
public sealed record WinRateMetrics : BenchmarkMetrics
{
    internal WinRateMetrics(BenchmarkResult result) : base(result) { }

    /// <summary>(wins + ½ ties) / prompts.</summary>
    public double WinRate => Result.Metrics["win_rate"];

    /// <summary>The mean reward of the generated responses.</summary>
    public double MeanRewardGenerated => Result.Metrics["mean_reward_generated"];

    /// <summary>The mean reward of the chosen responses.</summary>
    public double MeanRewardChosen => Result.Metrics["mean_reward_chosen"];
}
