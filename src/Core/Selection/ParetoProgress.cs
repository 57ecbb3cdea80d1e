using XRight.Training;

namespace XRight.Selection;

/// <summary>Where a Pareto sweep is.</summary>
/// <param name="Candidate">The candidate (or stage: "f* estimate") being worked on.</param>
/// <param name="Index">0-based index of the candidate; −1 for the f* estimate.</param>
/// <param name="Count">Number of candidates.</param>
/// <param name="Step">The candidate's latest training step report, or null at its start and end.</param>
/// <param name="Reused">True when a finished candidate (or the f* estimate) was taken from an earlier sweep with the same content key.</param>
public sealed record ParetoProgress(string Candidate, int Index, int Count, TrainingProgress? Step, bool Reused)
{
    /// <summary>
    /// Set on the report that starts a recomputation when an earlier sweep's record for this stage
    /// (<c>optimum.json</c>, <c>candidates/&lt;slug&gt;.json</c> or a benchmark's cached result) was unreadable: the file and why. Such a record is
    /// a cache keyed by content, so it is treated as absent and recomputed rather than failing the sweep.
    /// </summary>
    public string? Note { get; init; }

    /// <summary>
    /// Set when the report is about one of the candidate's benchmarks (<see cref="ParetoSweepOptions.Benchmarks"/>)
    /// after its training: the benchmark's name; <see cref="Reused"/> then says whether its result came from the cache.
    /// </summary>
    public string? Benchmark { get; init; }
}
