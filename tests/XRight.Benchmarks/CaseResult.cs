namespace XRight.Benchmarks;

/// <summary>What one case measured. Times in seconds, memory in bytes.</summary>
internal sealed record CaseResult
{
    public required string Label { get; init; }
    public long Parameters { get; init; }
    public long TrainableParameters { get; init; }

    /// <summary>Durations of the measured steps (the warm-up step excluded).</summary>
    public double[] StepSeconds { get; init; } = [];

    /// <summary>Processor seconds (all threads) of each measured step.</summary>
    public double[] StepCpuSeconds { get; init; } = [];

    /// <summary>
    /// Share of the available processor time (wall time × libtorch threads) the measured steps used: near 1
    /// when the threads had their cores to themselves; lower when other work on the machine took turns.
    /// </summary>
    public double CpuShare { get; init; } = double.NaN;

    /// <summary>Busy share of the machine's processors just before the case started (other work; NaN when not checked).</summary>
    public double BusyBefore { get; init; } = double.NaN;

    /// <summary>The system load average (1 minute) when the case started and when it ended.</summary>
    public double[] LoadAverage { get; init; } = [];

    /// <summary>Tokens (padding excluded) that one step runs through the model.</summary>
    public long TokensPerStep { get; init; }

    /// <summary>Model FLOPs of one step (see <see cref="ModelShape.TrainingFlops"/>); 0 where not defined.</summary>
    public double FlopsPerStep { get; init; }

    /// <summary>Peak resident memory while the steps ran (VmHWM reset at the start of the run).</summary>
    public long PeakResidentBytes { get; init; }

    /// <summary>Resident memory just before the run (model, optimizer state not yet allocated).</summary>
    public long StartResidentBytes { get; init; }

    /// <summary>Strategy cases: the trainer's wall time of the run.</summary>
    public double RunSeconds { get; init; }

    public int DpoSteps { get; init; }
    public int SftSteps { get; init; }

    /// <summary>Growth case: resident bytes after each sampled step.</summary>
    public Dictionary<int, long> ResidentAfterStep { get; init; } = [];

    public double MedianStepSeconds => Median(StepSeconds);

    public double TokensPerSecond => TokensPerStep / MedianStepSeconds;

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
