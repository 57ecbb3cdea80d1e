namespace XRight.Benchmarks;

/// <summary>Everything one benchmark run measured, as written to JSON.</summary>
internal sealed class BenchmarkReport
{
    public required MachineFacts Machine { get; init; }
    public required BenchmarkSettings Settings { get; init; }
    public DateTimeOffset Started { get; init; } = DateTimeOffset.UtcNow;
    public double TotalSeconds { get; set; }

    /// <summary>The best dense matmul rate measured (GFLOP/s): the MFU denominator.</summary>
    public double PeakGflopsPerSecond { get; set; } = double.NaN;

    public List<PeakRow> Peak { get; } = [];
    public List<ThroughputRow> Throughput { get; } = [];

    public List<CeilingRow> Ceiling { get; } = [];
    public List<DpoSftRow> DpoOverSft { get; } = [];
    public List<OptimizerRow> Optimizer { get; } = [];
    public List<PrecisionRow> Precision { get; } = [];
    public List<StrategyRow> Strategies { get; } = [];
    public List<ReferenceRow> Reference { get; } = [];
    public List<LoraRow> Lora { get; } = [];
    public List<GrowthRow> Growth { get; } = [];
    public List<ScalingRow> Scaling { get; } = [];

    /// <summary>Exponent p of activation memory ∝ Tᵖ fitted over the sweep (1: linear, 2: quadratic).</summary>
    public double ScalingMemoryExponent { get; set; } = double.NaN;

    public List<PaddingRow> Padding { get; } = [];

    /// <summary>Peak resident memory of a run of the smallest model, less the planner's estimate of that model: the runtime overhead.</summary>
    public double RuntimeOverheadMiB { get; set; } = double.NaN;

    public List<PlannerRow> Planner { get; } = [];
    public List<PythiaRow> Pythia { get; } = [];
    public List<PlanRow> Plans { get; } = [];
    public List<PackingRow> Packing { get; } = [];

    /// <summary>Why the packing section measured nothing, when it did not.</summary>
    public string? PackingSkipped { get; set; }
    public List<TargetRow> Targets { get; } = [];

    /// <summary>Judges the issue's targets from what was measured; targets whose section did not run are left out.</summary>
    public void JudgeTargets()
    {
        Targets.Clear();
        var sequential = Strategies.FirstOrDefault(s => s.Strategy == "Sequential");
        if (sequential is not null)
        {
            if (Strategies.FirstOrDefault(s => s.Strategy == "AlRight") is { } alright)
                Targets.Add(new("ALRIGHT wall time vs Sequential", "≤ 1.03×", $"{alright.TimeRatio:F3}×", alright.TimeRatio <= 1.03));
            if (Strategies.FirstOrDefault(s => s.Strategy == "MemoryEfficientMaxRight") is { } maxRight)
                Targets.Add(new("MAXRIGHT (k = 10) wall time vs Sequential", "≤ 1.06×", $"{maxRight.TimeRatio:F3}×", maxRight.TimeRatio <= 1.06));
        }
        if (DpoOverSft.Count > 0)
        {
            var worst = DpoOverSft.MaxBy(r => r.Ratio)!;
            Targets.Add(new("DPO step (cached reference) vs SFT step, same T and batch", "≤ 2.1×",
                $"max {worst.Ratio:F2}× ({worst.Model} T={worst.Length}); all: {string.Join(", ", DpoOverSft.Select(r => r.Ratio.ToString("F2")))}", worst.Ratio <= 2.1));
        }
        var large = Throughput.Where(r => r.Model.EndsWith("-50m") || r.Model.EndsWith("-150m")).ToList();
        if (large.Count > 0)
        {
            var lowest = large.MinBy(r => r.Mfu)!;
            Targets.Add(new("MFU of the 50M and 150M configs on CPU", "≥ 50%",
                $"min {lowest.Mfu:P0} ({lowest.Objective} {lowest.Model} T={lowest.Length}), max {large.Max(r => r.Mfu):P0}", lowest.Mfu >= 0.5));
        }
        foreach (var (model, threshold) in new[] { ("-50m", 0.60), ("-150m", 0.70) })
        {
            var sft = Throughput.Where(r => r.Model.EndsWith(model) && r.Objective == "SFT" && r.Length == 256).ToList();
            if (sft.Count > 0)
                Targets.Add(new($"MFU of SFT steps at T = 256, {model[1..].ToUpperInvariant()} configs (CPU)", $"≥ {threshold:P0}",
                    string.Join(", ", sft.Select(r => $"{r.Model} {r.Mfu:P0}")), sft.All(r => r.Mfu >= threshold)));
        }
        if (Optimizer.FirstOrDefault(o => o.Model.EndsWith("-150m") && !double.IsNaN(o.ShareOfSftStep)) is { } optimizer150)
            Targets.Add(new("Clipping + AdamW share of a 150M SFT step", "≤ 5%",
                $"{optimizer150.ShareOfSftStep:P1} fused ({optimizer150.Seconds * 1000:F0} ms); per-parameter tensor operations {optimizer150.TensorOpsShare:P1} ({optimizer150.TensorOpsSeconds * 1000:F0} ms)",
                optimizer150.ShareOfSftStep <= 0.05));
        if (Precision.FirstOrDefault(p => p.Variant.StartsWith("bf16")) is { } bf16)
            Targets.Add(new("bf16 frozen base: weight memory vs float32", "≤ 0.55×",
                $"{bf16.WeightRatio:F3}× bytes; resident {bf16.WeightResidentMiB:F0} MiB vs {Precision[0].WeightResidentMiB:F0} MiB", bf16.WeightRatio <= 0.55));
        if (Planner.Count > 0)
        {
            var worst = Planner.MaxBy(p => Math.Abs(p.Ratio - 1))!;
            Targets.Add(new("Memory planner against measured peak RSS", "within 15%",
                $"worst {worst.Ratio - 1:+0.0%;-0.0%} ({worst.Objective} {worst.Model} T={worst.Length}{(worst.Lora ? " LoRA" : "")}{(worst.Checkpointing ? " checkpointed" : "")}), " +
                $"{Planner.Count(p => Math.Abs(p.Ratio - 1) <= 0.15)} of {Planner.Count} within", Math.Abs(worst.Ratio - 1) <= 0.15));
        }
        if (Pythia.FirstOrDefault(p => p.Variant == "plain") is { } plain && Pythia.FirstOrDefault(p => p.Variant == "checkpointed") is { } checkpointed)
        {
            double memory = plain.PeakMiB / checkpointed.PeakMiB, stepMemory = plain.MeasuredAboveResidentMiB / checkpointed.MeasuredAboveResidentMiB;
            double time = checkpointed.DpoStepSeconds / plain.DpoStepSeconds, sftTime = checkpointed.SftStepSeconds / plain.SftStepSeconds;
            // Checkpointing acts on what the step adds (activations, logits, gradients); the weights, the AdamW state
            // and the runtime are the same with it or without, so the target is read on the step's memory, and the
            // whole process's ratio is shown beside it.
            Targets.Add(new($"Checkpointing, pythia-1b-shaped LoRA DPO step, T={plain.Length}: peak memory the step adds", "≥ 3× lower",
                $"{stepMemory:F2}× ({plain.MeasuredAboveResidentMiB:F0} → {checkpointed.MeasuredAboveResidentMiB:F0} MiB); whole process {memory:F2}×", stepMemory >= 3));
            Targets.Add(new("Checkpointing: step time", "≤ 1.4×", $"{time:F2}× (DPO step), {sftTime:F2}× (SFT step)", Math.Max(time, sftTime) <= 1.4));
        }
        foreach (var run in Growth.GroupBy(g => g.Rows).Where(g => g.Count() >= 2))
        {
            var first = run.First();
            var last = run.Last();
            double change = last.ResidentMiB / first.ResidentMiB - 1;
            Targets.Add(new($"Resident memory growth, step {first.Step} → {last.Step} ({run.Key})", "within 3%",
                $"{change:+0.0%;-0.0%} ({first.ResidentMiB:F0} → {last.ResidentMiB:F0} MiB)", change <= 0.03));
        }
        if (Scaling.Count >= 3)
            Targets.Add(new("Memory vs sequence length (attention)", "linear (exponent ≈ 1, not 2)",
                $"exponent {ScalingMemoryExponent:F2}; per doubling: {string.Join(", ", Scaling.Skip(1).Select(s => s.ActivationRatio.ToString("F2")))}",
                ScalingMemoryExponent <= 1.2));
    }
}
