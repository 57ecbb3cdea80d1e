namespace XRight.Benchmarks;

/// <summary>What one case measured. Times in seconds, memory in bytes.</summary>
internal sealed record CaseResult
{
    public required string Label { get; init; }
    public long Parameters { get; init; }
    public long TrainableParameters { get; init; }

    /// <summary>Durations of the undisturbed measured steps (the warm-up step excluded; see <see cref="StepClock"/>).</summary>
    public double[] StepSeconds { get; init; } = [];

    /// <summary>Optimizer case: the undisturbed steps of the per-parameter tensor-operation update, measured alternately with <see cref="StepSeconds"/> (the fused update).</summary>
    public double[] AlternativeStepSeconds { get; init; } = [];

    /// <summary>Bytes of all the model's parameters (element size × count).</summary>
    public long WeightBytes { get; init; }

    /// <summary>Resident memory the model's weights added when it was created (resident memory after minus before).</summary>
    public long WeightResidentBytes { get; init; }

    /// <summary>Steps measured after the warm-up, disturbed ones included.</summary>
    public int MeasuredSteps { get; init; }

    /// <summary>
    /// Processor share of the undisturbed steps (strategy cases: of the whole run): processor time over
    /// wall time × libtorch threads. Near 1 when the threads had their cores; lower when other work took turns.
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

    /// <summary>Packing case: per batch, the seconds of the padded and of the packed forward and backward pass.</summary>
    public double[] PaddedSeconds { get; init; } = [];

    /// <inheritdoc cref="PaddedSeconds"/>
    public double[] PackedSeconds { get; init; } = [];

    /// <summary>Packing case: tokens of the rows, and tokens run padded and packed (padding included), over all batches.</summary>
    public long RealTokens { get; init; }

    /// <inheritdoc cref="RealTokens"/>
    public long PaddedTokens { get; init; }

    /// <inheritdoc cref="RealTokens"/>
    public long PackedTokens { get; init; }

    /// <summary>ALRIGHT case: the durations of the DPO and of the SFT steps after the first step.</summary>
    public double[] DpoStepSeconds { get; init; } = [];

    /// <inheritdoc cref="DpoStepSeconds"/>
    public double[] SftStepSeconds { get; init; } = [];

    /// <summary>Strategy rounds: each strategy's run times, one per round.</summary>
    public Dictionary<string, double[]> RoundSeconds { get; init; } = [];

    /// <summary>Growth case: resident bytes after each sampled step.</summary>
    public Dictionary<int, long> ResidentAfterStep { get; init; } = [];

    public double MedianStepSeconds => Median(StepSeconds);

    public double MedianAlternativeStepSeconds => Median(AlternativeStepSeconds);

    public double TokensPerSecond => TokensPerStep / MedianStepSeconds;

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
