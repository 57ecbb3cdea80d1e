using System.Text.Json.Serialization;
using XRight.Evaluation;
using XRight.Training;

namespace XRight.Selection;

/// <summary>
/// One trained model of a sweep, as the selection stage sees it: its place in the sweep (strategy family,
/// λ or Sequential split, epochs) and the <see cref="TrainingRunSummary"/> of its run (held-out objective
/// values, resources, trajectory).
/// </summary>
/// <remarks>
/// Exactly one of <see cref="Lambda"/> (joint strategies: Mix, ALRIGHT, MAXRIGHT) and
/// <see cref="Sequential"/> (the Sequential baseline) is set. The values are checked by
/// <see cref="ParetoSelection.Analyze"/>.
/// </remarks>
public sealed record SelectionCandidate
{
    /// <summary>A name unique within the sweep, for example "ALRIGHT λ=0.5".</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The strategy family, for example "ALRIGHT" or "MAXRIGHT k=10"; candidates of one family share a style in
    /// plots (the run's own display name, with its λ, is <see cref="TrainingRunSummary.Strategy"/> of <see cref="Run"/>).
    /// </summary>
    public required string Strategy { get; init; }

    /// <summary>The trade-off weight λ ∈ [0, 1] of a joint strategy; null for a Sequential run.</summary>
    public double? Lambda { get; init; }

    /// <summary>The epoch split of a Sequential run; null for a joint strategy.</summary>
    public SequentialSchedule? Sequential { get; init; }

    /// <summary>The training budget in epochs (for a Sequential run, T_DPO + T_SFT).</summary>
    public required int Epochs { get; init; }

    /// <summary>What training did: steps, runtime, peak memory, stop reason, final held-out metrics, f* and trajectory.</summary>
    public required TrainingRunSummary Run { get; init; }

    /// <summary>Median accelerator utilization during training in percent, when measured.</summary>
    public double? GpuUtilizationPercent { get; init; }

    /// <summary>Where the trained model was saved, when it was.</summary>
    public string? ModelPath { get; init; }

    /// <summary>True when a sweep took this candidate from an earlier sweep with the same content key instead of training it.</summary>
    public bool Reused { get; init; }

    /// <summary>
    /// The benchmark results of the trained model, keyed by the benchmark's name in the sweep
    /// (<see cref="SweepBenchmark.Name"/>); empty when no benchmarks were run. Rules and ∆m% read them as
    /// <c>"&lt;name&gt;/&lt;metric&gt;"</c> (<see cref="SelectionMetric.Benchmark"/>).
    /// </summary>
    public IReadOnlyDictionary<string, BenchmarkResult> Benchmarks { get; init; } = new Dictionary<string, BenchmarkResult>();

    /// <summary>Held-out DPO objective of the final model (<see cref="TrainingRunSummary.Final"/>).</summary>
    [JsonIgnore]
    public double FDpo => Run.Final.FDpo;

    /// <summary>Held-out SFT objective (token-mean NLL) of the final model.</summary>
    [JsonIgnore]
    public double FSft => Run.Final.FSft;

    /// <summary>Wall-clock training time in seconds.</summary>
    [JsonIgnore]
    public double RuntimeSeconds => Run.RuntimeSeconds;

    /// <summary>Peak memory during training in bytes.</summary>
    [JsonIgnore]
    public long PeakMemoryBytes => Run.PeakMemoryBytes;

    /// <summary>The held-out evaluations during training, in step order (may be empty).</summary>
    [JsonIgnore]
    public IReadOnlyList<TrajectoryPoint> Trajectory => Run.Trajectory;

    /// <summary>True for a Sequential run.</summary>
    [JsonIgnore]
    public bool IsSequential => Sequential is not null;

    /// <summary>True when every member is equal, the benchmark results compared entry by entry.</summary>
    public bool Equals(SelectionCandidate? other) =>
        other is not null
        && Name == other.Name
        && Strategy == other.Strategy
        && EqualityComparer<double?>.Default.Equals(Lambda, other.Lambda)
        && Equals(Sequential, other.Sequential)
        && Epochs == other.Epochs
        && Equals(Run, other.Run)
        && EqualityComparer<double?>.Default.Equals(GpuUtilizationPercent, other.GpuUtilizationPercent)
        && ModelPath == other.ModelPath
        && Reused == other.Reused
        && Benchmarks.Count == other.Benchmarks.Count
        && Benchmarks.All(b => other.Benchmarks.TryGetValue(b.Key, out var result) && b.Value.Equals(result));

    /// <summary>A hash consistent with <see cref="Equals(SelectionCandidate?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Name, Strategy, Lambda, Epochs, Run, Reused, Benchmarks.Count);

    /// <summary>"λ = 0.5" or "(T_DPO, T_SFT) = (3, 3)".</summary>
    [JsonIgnore]
    public string Setting => Sequential is { } schedule
        ? schedule.ToString()
        : FormattableString.Invariant($"λ = {Lambda}");
}
