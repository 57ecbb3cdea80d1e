using System.Globalization;

namespace XRight.Benchmarks;

/// <summary>The report as Markdown tables, ready to paste into the README.</summary>
internal static class MarkdownReport
{
    public static void Write(BenchmarkReport r, TextWriter w)
    {
        var m = r.Machine;
        w.WriteLine($"Machine: {m.Cpu}, {m.LogicalProcessors} logical processors, libtorch threads {m.TorchThreads}, CPU features [{m.CpuFeatures}], {m.MemoryGiB:F0} GiB RAM");
        w.WriteLine($"Software: {m.Os}; {m.DotNet}; TorchSharp {m.TorchSharp}; {m.LibTorch}. Accelerator: {m.Accelerator}.");
        w.WriteLine($"Run: {(r.Settings.Quick ? "--quick" : "full")}, {r.TotalSeconds / 60:F1} min, started {r.Started:yyyy-MM-dd HH:mm} UTC.");

        if (r.Peak.Count > 0)
            Table(w, $"Dense float32 matmul, n×n · n×n (the MFU denominator is the best: {F(r.PeakGflopsPerSecond, 1)} GFLOP/s)", ["measured", "n", "GFLOP/s"],
                r.Peak.Select(p => new[] { p.When, p.Size.ToString(), F(p.GflopsPerSecond, 1) }));

        if (r.Throughput.Count > 0)
            Table(w, $"Training-step throughput (full fine-tuning, AdamW, clipping; MFU against {F(r.PeakGflopsPerSecond, 1)} GFLOP/s)",
                ["model", "params", "T", "batch", "objective", "steps", "s/step", "tokens/s", "model GFLOP/s", "MFU", "CPU share", "peak RSS MiB"],
                r.Throughput.Select(t => new[]
                {
                    t.Model, Millions(t.Parameters), t.Length.ToString(), t.Batch.ToString(), t.Objective, $"{t.Steps}/{t.MeasuredSteps}", F(t.StepSeconds, 3),
                    F(t.TokensPerSecond, 0), F(t.ModelGflopsPerSecond, 1), P(t.Mfu), P(t.CpuShare), F(t.PeakMiB, 0),
                }));

        if (r.Ceiling.Count > 0)
            Table(w, $"The same SFT steps' matrix products and attention timed alone: the utilisation a step would reach if all other work were free (against {F(r.PeakGflopsPerSecond, 1)} GFLOP/s)",
                ["model", "T", "batch", "products s/step", "products GFLOP/s", "attention s/step", "ceiling MFU", "measured s/step", "measured MFU"],
                r.Ceiling.Select(c =>
                {
                    var measured = r.Throughput.FirstOrDefault(t => t.Model == c.Model && t.Length == c.Length && t.Objective == "SFT");
                    return new[]
                    {
                        c.Model, c.Length.ToString(), c.Batch.ToString(), F(c.ProductSeconds, 3), F(c.ProductGflopsPerSecond, 1), F(c.AttentionSeconds, 3),
                        P(c.ModelFlops / (c.ProductSeconds + c.AttentionSeconds) / 1e9 / r.PeakGflopsPerSecond),
                        measured is null ? "" : F(measured.StepSeconds, 3), measured is null ? "" : P(measured.Mfu),
                    };
                }));

        if (r.DpoOverSft.Count > 0)
            Table(w, "DPO step (cached reference; B pairs = 2B sequences) over SFT step (B rows)", ["model", "T", "B", "DPO / SFT"],
                r.DpoOverSft.Select(d => new[] { d.Model, d.Length.ToString(), d.Batch.ToString(), F(d.Ratio, 2) + "×" }));

        if (r.Optimizer.Count > 0)
            Table(w, "Per-step cost that does not depend on the batch: global-norm clipping + AdamW update (all weights), fused against per-parameter tensor operations, alternating steps",
                ["model", "weights", "fused ms/step", "share of an SFT step", "tensor ops ms/step", "share", "tensor ops / fused"],
                r.Optimizer.Select(o => new[]
                {
                    o.Model, Millions(o.Parameters), F(o.Seconds * 1000, 0), P1(o.ShareOfSftStep), F(o.TensorOpsSeconds * 1000, 0), P1(o.TensorOpsShare), F(o.TensorOpsSeconds / o.Seconds, 2) + "×",
                }));

        if (r.Precision.Count > 0)
            Table(w, "Mixed precision, LoRA r=32 on query_key_value, SFT step (bf16: weights, activations and gradients bfloat16; LoRA masters and AdamW state float32)",
                ["variant", "model", "params", "weight MiB (bytes)", "weight RSS MiB", "weights × fp32", "s/step", "× fp32", "peak RSS MiB", "memory × fp32"],
                r.Precision.Select(x => new[]
                {
                    x.Variant, x.Model, Millions(x.Parameters), F(x.WeightMiB, 0), F(x.WeightResidentMiB, 0), F(x.WeightRatio, 3), F(x.StepSeconds, 3), F(x.TimeRatio, 2), F(x.PeakMiB, 0), F(x.MemoryRatio, 2),
                }));

        if (r.Strategies.Count > 0)
            Table(w, $"Strategies, same number of steps: trainer wall time, median over {r.Settings.StrategyRepeats} rounds of the ratio to the same round's Sequential run; peak memory from one fresh process each",
                ["strategy", "steps", "DPO steps", "SFT steps", "seconds", "× Sequential", "range over rounds", "peak RSS MiB", "memory × Sequential"],
                r.Strategies.Select(s => new[]
                {
                    s.Strategy, s.Steps.ToString(), s.DpoSteps.ToString(), s.SftSteps.ToString(), F(s.Seconds, 2), F(s.TimeRatio, 3),
                    $"{F(s.LowestRatio, 3)}–{F(s.HighestRatio, 3)}", F(s.PeakMiB, 0), F(s.MemoryRatio, 3),
                }));

        if (r.Reference.Count > 0)
            Table(w, "DPO step: cached reference log-probs against a live reference forward", ["variant", "model", "T", "pairs", "s/step", "× cached", "peak RSS MiB", "memory × cached"],
                r.Reference.Select(x => new[] { x.Variant, x.Model, x.Length.ToString(), x.Batch.ToString(), F(x.StepSeconds, 3), F(x.TimeRatio, 2), F(x.PeakMiB, 0), F(x.MemoryRatio, 2) }));

        if (r.Lora.Count > 0)
            Table(w, "LoRA against full fine-tuning", ["objective", "variant", "model", "trainable", "s/step", "× full", "peak RSS MiB", "memory × full"],
                r.Lora.Select(x => new[] { x.Objective, x.Variant, x.Model, Millions(x.TrainableParameters), F(x.StepSeconds, 3), F(x.TimeRatio, 2), F(x.PeakMiB, 0), F(x.MemoryRatio, 2) }));

        if (r.Growth.Count > 0)
        {
            var kinds = r.Growth.Select(g => g.Rows).Distinct().ToArray();
            Table(w, "Resident memory during long ALRIGHT runs (held-out evaluations every 100 steps)", ["after step", .. kinds.Select(k => $"RSS MiB, {k}")],
                r.Growth.Select(g => g.Step).Distinct().Select(step => (string[])[step.ToString(),
                    .. kinds.Select(k => r.Growth.FirstOrDefault(g => g.Rows == k && g.Step == step) is { } g ? F(g.ResidentMiB, 1) : "–")]));
        }

        if (r.Scaling.Count > 0)
            Table(w, $"Sequence-length sweep (SFT, two rows of T and T/2 tokens, right-padded; activation memory exponent {F(r.ScalingMemoryExponent, 2)})",
                ["T", "s/step", "time × previous", "µs/token", "peak RSS MiB", "activation MiB", "activation × previous"],
                r.Scaling.Select(s => new[]
                {
                    s.Length.ToString(), F(s.StepSeconds, 3), F(s.TimeRatio, 2), F(s.MicrosecondsPerToken, 0), F(s.PeakMiB, 0), F(s.ActivationMiB, 0), F(s.ActivationRatio, 2),
                }));

        if (r.Padding.Count > 0)
            Table(w, "Padding share of one epoch (lengths uniform in 32..512)", ["objective", "batch", "grouped by length", "padding"],
                r.Padding.Select(p => new[] { p.Objective, p.Batch.ToString(), p.Grouped ? "yes" : "no", p.PaddingShare.ToString("P1", CultureInfo.InvariantCulture) }));

        if (r.Planner.Count > 0)
            Table(w, $"Memory planner against measured peak resident memory (runtime overhead measured: {F(r.RuntimeOverheadMiB, 0)} MiB; one fresh process per case, trainer step loop, AdamW, clipping)",
                ["model", "objective", "T", "B", "LoRA", "checkpointing", "estimate MiB", "measured MiB", "estimate / measured", "of which activations", "logits", "weights + optimizer"],
                r.Planner.Select(p => new[]
                {
                    p.Model, p.Objective, p.Length.ToString(), p.Batch.ToString(), p.Lora ? "r=32" : "–", p.Checkpointing ? "yes" : "no", F(p.EstimateMiB, 0), F(p.MeasuredMiB, 0),
                    F(p.Ratio, 3), F(p.ActivationsMiB, 0), F(p.LogitsMiB, 0), F(p.WeightsAndStateMiB, 0),
                }));

        if (r.Pythia.Count > 0)
            Table(w, "pythia-1b-shaped model (random weights), LoRA r=α=32 on query_key_value, ALRIGHT λ=0.5, batch 1 (a DPO step scores 2 sequences)",
                ["variant", "T", "DPO / SFT steps timed", "DPO s/step", "SFT s/step", "DPO tokens/s", "SFT tokens/s", "peak RSS MiB", "planner MiB", "planner step peak MiB", "measured above weights + runtime MiB"],
                r.Pythia.Select(p => new[]
                {
                    p.Variant, p.Length.ToString(), $"{p.DpoSteps} / {p.SftSteps}", F(p.DpoStepSeconds, 1), F(p.SftStepSeconds, 1), F(p.DpoTokensPerSecond, 1), F(p.SftTokensPerSecond, 1),
                    F(p.PeakMiB, 0), F(p.EstimateMiB, 0), F(p.EstimatedStepPeakMiB, 0), F(p.MeasuredAboveResidentMiB, 0),
                }));

        if (r.Plans.Count > 0)
            Table(w, "Planner estimates only (default 400 MiB runtime overhead; response tokens = T − 1)", ["setting", "budget GiB", "estimate at batch 1, GiB", "fits", "largest batch (pairs) that fits"],
                r.Plans.Select(p => new[] { p.Setting, F(p.BudgetGiB, 0), F(p.EstimateGiB, 1), p.Fits ? "yes" : "no", p.LargestBatch.ToString() }));

        if (r.Packing.Count > 0)
            Table(w, "SFT packing on the alpaca subset's lengths (GPT-NeoX-20B tokenizer, rows cut at 512 tokens), forward + backward of the same batches of 12 rows padded and packed",
                ["batch order", "batches", "padding, padded", "padding, packed", "padded s/batch", "packed s/batch", "padded tokens/s", "packed tokens/s", "speed-up"],
                r.Packing.Select(p => new[]
                {
                    p.Order, p.Batches.ToString(), P(p.PaddingSharePadded), P(p.PaddingSharePacked), F(p.PaddedSeconds, 2), F(p.PackedSeconds, 2),
                    F(p.PaddedTokensPerSecond, 0), F(p.PackedTokensPerSecond, 0), F(p.Speedup, 2) + "×",
                }));
        else if (r.PackingSkipped is { } why)
        {
            w.WriteLine();
            w.WriteLine($"SFT packing: {why}.");
        }

        if (r.Targets.Count > 0)
            Table(w, "Targets", ["target", "threshold", "measured", "met"],
                r.Targets.Select(t => new[] { t.Target, t.Threshold, t.Measured, t.Met ? "yes" : "**no**" }));
    }

    private static void Table(TextWriter w, string title, string[] header, IEnumerable<string[]> rows)
    {
        w.WriteLine();
        w.WriteLine($"### {title}");
        w.WriteLine();
        w.WriteLine("| " + string.Join(" | ", header) + " |");
        w.WriteLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows) w.WriteLine("| " + string.Join(" | ", row) + " |");
    }

    private static string F(double value, int decimals) =>
        double.IsNaN(value) ? "–" : value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    private static string P(double value) => double.IsNaN(value) ? "–" : value.ToString("P0", CultureInfo.InvariantCulture);

    private static string P1(double value) => double.IsNaN(value) ? "–" : value.ToString("P1", CultureInfo.InvariantCulture);

    private static string Millions(long count) => (count / 1e6).ToString(count < 1e7 ? "F2" : "F1", CultureInfo.InvariantCulture) + "M";
}
