namespace XRight.Benchmarks;

/// <summary>One dense matmul size and its measured rate, at the start or the end of the run.</summary>
internal sealed record PeakRow(string When, int Size, double GflopsPerSecond);

/// <summary>Training-step throughput of one model, length and objective.</summary>
/// <param name="Steps">Undisturbed measured steps (of <paramref name="MeasuredSteps"/>); the step time is their median.</param>
/// <summary>A step's matrix products and attention timed alone (<see cref="ProductCeiling"/>), and the step's model FLOPs.</summary>
internal sealed record CeilingRow(string Model, int Length, int Batch, double ProductSeconds, double ProductGflopsPerSecond, double AttentionSeconds, double ModelFlops);

internal sealed record ThroughputRow(string Model, long Parameters, int Length, int Batch, string Objective, int Steps, int MeasuredSteps, double StepSeconds,
    double TokensPerSecond, double ModelGflopsPerSecond, double Mfu, double CpuShare, double PeakMiB);

/// <summary>
/// Clipping and the AdamW update alone, fused (what the trainer runs) and as per-parameter tensor operations (before),
/// and their share of the fastest SFT step of the same model (the step ran the fused update; the tensor-operation
/// share is of that step with the fused update replaced by the tensor-operation one).
/// </summary>
internal sealed record OptimizerRow(string Model, long Parameters, double Seconds, double ShareOfSftStep, double TensorOpsSeconds = double.NaN, double TensorOpsShare = double.NaN);

/// <summary>One model, objective and precision: weight bytes, their resident memory, and the step.</summary>
internal sealed record PrecisionRow(string Variant, string Model, long Parameters, double WeightMiB, double WeightResidentMiB, double WeightRatio,
    double StepSeconds, double TimeRatio, double PeakMiB, double MemoryRatio);

/// <summary>DPO step time over SFT step time at the same model, length and batch.</summary>
internal sealed record DpoSftRow(string Model, int Length, int Batch, double Ratio);

/// <summary>One strategy's run against Sequential over the same number of steps.</summary>
/// <param name="Seconds">Median run time over the rounds.</param>
/// <param name="TimeRatio">Median over the rounds of the run time over the same round's Sequential run time.</param>
/// <param name="CpuShare">Processor share of the memory run (fresh process).</param>
internal sealed record StrategyRow(string Strategy, int Steps, int DpoSteps, int SftSteps, double Seconds, double TimeRatio, double LowestRatio, double HighestRatio,
    double CpuShare, double PeakMiB, double MemoryRatio);

/// <summary>A DPO step with the reference log-probs cached or computed by a live reference forward.</summary>
internal sealed record ReferenceRow(string Variant, string Model, int Length, int Batch, double StepSeconds, double TimeRatio, double PeakMiB, double MemoryRatio);

/// <summary>LoRA against full fine-tuning for one objective.</summary>
internal sealed record LoraRow(string Objective, string Variant, string Model, long TrainableParameters, double StepSeconds, double TimeRatio, double PeakMiB, double MemoryRatio);

/// <summary>Resident memory after a step of a long run on rows of the given lengths.</summary>
internal sealed record GrowthRow(string Rows, int Step, double ResidentMiB);

/// <summary>One point of the sequence-length sweep.</summary>
/// <param name="ActivationMiB">Peak resident memory minus the resident memory before the run and the gradients and AdamW moments (3 × 4 bytes per weight).</param>
internal sealed record ScalingRow(int Length, double StepSeconds, double TimeRatio, double MicrosecondsPerToken, double PeakMiB, double ActivationMiB, double ActivationRatio);

/// <summary>Share of padding tokens in one epoch of batches, with and without length grouping.</summary>
internal sealed record PaddingRow(string Objective, int Batch, bool Grouped, double PaddingShare);

/// <summary>One target of the issue: its threshold, what was measured and whether it holds.</summary>
internal sealed record TargetRow(string Target, string Threshold, string Measured, bool Met);

/// <summary>One case of the planner validation: the estimate beside the measured peak resident memory.</summary>
internal sealed record PlannerRow(string Model, string Objective, int Length, int Batch, bool Lora, bool Checkpointing, double EstimateMiB, double MeasuredMiB,
    double ActivationsMiB, double LogitsMiB, double WeightsAndStateMiB)
{
    public double Ratio => EstimateMiB / MeasuredMiB;
}

/// <summary>The pythia-1b-shaped ALRIGHT run with or without gradient checkpointing.</summary>
internal sealed record PythiaRow(string Variant, int Length, int DpoSteps, int SftSteps, double DpoStepSeconds, double SftStepSeconds, double DpoTokensPerSecond,
    double SftTokensPerSecond, double PeakMiB, double EstimateMiB, double EstimatedStepPeakMiB, double MeasuredAboveResidentMiB);

/// <summary>A planner estimate without a measurement (a model too large for this machine).</summary>
internal sealed record PlanRow(string Setting, double BudgetGiB, double EstimateGiB, bool Fits, int LargestBatch);

/// <summary>SFT on the alpaca subset's real lengths, padded against packed, the same batches.</summary>
internal sealed record PackingRow(string Order, int Batches, int Batch, double PaddingSharePadded, double PaddingSharePacked, double PaddedSeconds, double PackedSeconds,
    double PaddedTokensPerSecond, double PackedTokensPerSecond)
{
    public double Speedup => PaddedSeconds / PackedSeconds;
}
