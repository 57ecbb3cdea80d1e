namespace XRight.Planning;

/// <summary>What a <see cref="MemoryEstimate"/> assumes beyond the model, the options, the batch and the length.</summary>
public sealed record MemoryPlanSettings
{
    /// <summary>
    /// The resident memory of the process besides the model and its training: the .NET runtime, the libtorch
    /// libraries and their thread pools. The benchmark measured 186 MiB on Linux x64 with TorchSharp-cpu 0.107 (the
    /// peak of a run training a 34K-weight model, less the planner's estimate of it; see the benchmark README);
    /// the default leaves a margin above that for other machines and builds. Default: 400 MiB.
    /// </summary>
    public long RuntimeOverheadBytes { get; init; } = MemoryEstimate.DefaultRuntimeOverheadBytes;

    /// <summary>
    /// Response (scored) tokens per sequence: the output head and the logits cover only these. Null: every
    /// position but the first (a one-token prompt), the most a sequence of the given length can have. Default: null.
    /// </summary>
    public int? ResponseTokens { get; init; }

    /// <summary>Where the DPO reference log-probabilities come from. Default: cached, as the trainer does.</summary>
    public ReferenceMemory Reference { get; init; } = ReferenceMemory.CachedLogProbs;

    /// <summary>Preference pairs whose reference log-probabilities are cached (the cache is kept for the whole run). Default: 0.</summary>
    public int PreferencePairs { get; init; }

    /// <summary>The objective to estimate; null: each objective the strategy uses, keeping the larger. Default: null.</summary>
    public ObjectiveKind? Objective { get; init; }

    internal void Validate()
    {
        var check = new OptionCheck(nameof(MemoryPlanSettings));
        check.Require(RuntimeOverheadBytes >= 0, nameof(RuntimeOverheadBytes), RuntimeOverheadBytes, "must be 0 or more");
        check.Require(ResponseTokens is null or >= 1, nameof(ResponseTokens), ResponseTokens, "must be at least 1, or null");
        check.Require(Enum.IsDefined(Reference), nameof(Reference), Reference, "must be a known reference form");
        check.Require(PreferencePairs >= 0, nameof(PreferencePairs), PreferencePairs, "must be 0 or more");
        check.Require(Objective is null || Enum.IsDefined(Objective.Value), nameof(Objective), Objective, "must be a known objective or null");
    }
}
