using XRight.Modeling;
using XRight.Planning;
using XRight.Training;

namespace XRight.Benchmarks;

/// <summary>Runs the sections the settings ask for, each measured case in its own process, and fills the report.</summary>
internal sealed class BenchmarkSections(BenchmarkSettings settings, BenchmarkReport report, TextWriter log)
{
    private const double MiB = 1024.0 * 1024.0;

    public void Run()
    {
        var sections = new (string Name, Action Body)[]
        {
            ("peak", () => Peak("start")), ("throughput", Throughput), ("ceiling", Ceiling), ("optimizer", Optimizer), ("strategies", Strategies), ("reference", Reference),
            ("lora", Lora), ("precision", Precision), ("growth", Growth), ("scaling", Scaling), ("padding", Padding),
            ("planner", Planner), ("pythia", Pythia), ("plans", LlamaPlans), ("packing", Packing),
        };
        foreach (var (name, body) in sections)
        {
            if (!settings.Sections.Contains(name)) continue;
            log.WriteLine($"== {name}");
            body();
        }
        if (settings.Sections.Contains("peak"))
        {
            log.WriteLine("== peak again");
            Peak("end");
            // Utilisation figures use the final denominator.
            for (int i = 0; i < report.Throughput.Count; i++)
                report.Throughput[i] = report.Throughput[i] with { Mfu = report.Throughput[i].ModelGflopsPerSecond / report.PeakGflopsPerSecond };
        }
        report.JudgeTargets();
    }

    // Measured first and again at the end; the MFU denominator is the best rate seen, so a peak taken
    // while other work ran cannot flatter the utilisation.
    private void Peak(string when)
    {
        log.Write("   ");
        WaitForQuiet();
        log.WriteLine();
        foreach (var m in MatmulPeak.Measure(settings.PeakSizes, settings.Quick ? 0.5 : 2))
        {
            report.Peak.Add(new PeakRow(when, m.Size, m.GflopsPerSecond));
            log.WriteLine($"   matmul {m.Size}³ ({when}): {m.GflopsPerSecond:F1} GFLOP/s");
        }
        report.PeakGflopsPerSecond = report.Peak.Max(p => p.GflopsPerSecond);
    }

    private double WaitForQuiet() =>
        settings.QuietWaitSeconds > 0 ? QuietMachine.WaitForIdle(0.1, TimeSpan.FromSeconds(settings.QuietWaitSeconds), log) : double.NaN;

    private void Throughput()
    {
        foreach (var architecture in settings.Architectures)
            foreach (var size in settings.Sizes)
                foreach (int length in settings.Lengths)
                {
                    int batch = Math.Max(1, settings.TokensPerBatch / length);
                    var sft = StepCase(size, architecture, length, batch, ObjectiveKind.Sft);
                    var dpo = StepCase(size, architecture, length, batch, ObjectiveKind.Dpo);
                    report.Throughput.Add(ThroughputOf(sft));
                    report.Throughput.Add(ThroughputOf(dpo));
                    report.DpoOverSft.Add(new DpoSftRow(sft.Spec.Shape.Label, length, batch, dpo.Result.MedianStepSeconds / sft.Result.MedianStepSeconds));
                }
    }

    /// <summary>The throughput cases' SFT steps reduced to their matrix products and attention (<see cref="ProductCeiling"/>).</summary>
    private void Ceiling()
    {
        foreach (var architecture in settings.Architectures)
            foreach (var size in settings.Sizes)
                foreach (int length in settings.Lengths)
                {
                    int batch = Math.Max(1, settings.TokensPerBatch / length);
                    var shape = ModelShape.Get(size, architecture);
                    WaitForQuiet();
                    var c = ProductCeiling.Measure(shape, length, batch, settings.Quick ? 2 : 5);
                    double flops = batch * shape.TrainingFlops(length, SyntheticRows.ScoredTokens(length));
                    report.Ceiling.Add(new CeilingRow(shape.Label, length, batch, c.ProductSeconds, c.ProductFlops / c.ProductSeconds / 1e9, c.AttentionSeconds, flops));
                    log.WriteLine($"   {shape.Label} T={length} B={batch}: products {c.ProductSeconds:F3} s ({c.ProductFlops / c.ProductSeconds / 1e9:F1} GFLOP/s), attention {c.AttentionSeconds:F3} s");
                }
    }

    private (CaseSpec Spec, CaseResult Result) StepCase(string size, CausalLmArchitecture architecture, int length, int batch, ObjectiveKind objective,
        bool lora = false, bool mixedLengths = false, MixedPrecision precision = MixedPrecision.None)
        => Measure(new CaseSpec
        {
            Kind = CaseKind.Step,
            Size = size,
            Architecture = architecture,
            Length = length,
            Batch = batch,
            Objective = objective,
            Lora = lora,
            MixedLengths = mixedLengths,
            Precision = precision,
            MinSeconds = settings.MinSeconds,
            MaxSteps = settings.MaxSteps,
            Threads = settings.Threads,
        });

    private ThroughputRow ThroughputOf((CaseSpec Spec, CaseResult Result) c)
    {
        double seconds = c.Result.MedianStepSeconds;
        double gflops = c.Result.FlopsPerStep / seconds / 1e9;
        return new ThroughputRow(c.Spec.Shape.Label, c.Result.Parameters, c.Spec.Length, c.Spec.Batch, c.Spec.Objective.ToString().ToUpperInvariant(),
            c.Result.StepSeconds.Length, c.Result.MeasuredSteps, seconds, c.Result.TokensPerSecond, gflops, gflops / report.PeakGflopsPerSecond,
            c.Result.CpuShare, c.Result.PeakResidentBytes / MiB);
    }

    private void Optimizer()
    {
        foreach (var size in settings.Sizes)
        {
            var (spec, r) = Measure(new CaseSpec
            {
                Kind = CaseKind.Optimizer,
                Size = size,
                MinSeconds = settings.Quick ? 0.5 : 2,
                MinSteps = 3,
                MaxSteps = 20,
                Threads = settings.Threads,
            });
            var sft = report.Throughput.Where(t => t.Model == spec.Shape.Label && t.Objective == "SFT").Select(t => t.StepSeconds).DefaultIfEmpty(double.NaN).Min();
            double fused = r.MedianStepSeconds, tensorOps = r.MedianAlternativeStepSeconds;
            // The SFT step ran the fused update; with the tensor-operation update it would take the difference longer.
            report.Optimizer.Add(new OptimizerRow(spec.Shape.Label, r.TrainableParameters, fused, fused / sft, tensorOps, tensorOps / (sft - fused + tensorOps)));
            log.WriteLine($"   fused {fused * 1000:F0} ms, tensor operations {tensorOps * 1000:F0} ms ({tensorOps / fused:F2}×)");
        }
    }

    // Time ratios come from one process running every strategy round after round (each against the Sequential
    // run of its round); peak memory from one fresh process per strategy.
    private void Strategies()
    {
        // SFT batch of 2B rows, DPO batch of B pairs: the same number of sequences per step.
        int pairs = Math.Max(1, settings.StrategyTokens / settings.StrategyLength / 2);
        var common = new CaseSpec
        {
            Kind = CaseKind.Strategy,
            Size = settings.StrategySize,
            Length = settings.StrategyLength,
            SftBatch = 2 * pairs,
            DpoBatch = pairs,
            Steps = settings.StrategySteps,
            Threads = settings.Threads,
        };
        var memory = CaseRunner.AllStrategies.ToDictionary(s => s, s => Measure(common with { Strategy = s }).Result);
        var rounds = Measure(common with { Kind = CaseKind.StrategyRounds, Rounds = settings.StrategyRepeats }).Result.RoundSeconds;
        var sequential = rounds[nameof(JointStrategy.Sequential)];
        var baselineMemory = memory[JointStrategy.Sequential].PeakResidentBytes;
        foreach (var strategy in CaseRunner.AllStrategies)
        {
            var times = rounds[strategy.ToString()];
            var ratios = times.Zip(sequential, (t, s) => t / s).ToArray();
            var r = memory[strategy];
            report.Strategies.Add(new StrategyRow(strategy.ToString(), settings.StrategySteps, r.DpoSteps, r.SftSteps, CaseResult.Median(times),
                CaseResult.Median(ratios), ratios.Min(), ratios.Max(), r.CpuShare, r.PeakResidentBytes / MiB, (double)r.PeakResidentBytes / baselineMemory));
        }
    }

    private void Reference()
    {
        int length = 256, pairs = Math.Max(1, settings.TokensPerBatch / length / 2);
        CaseSpec Spec(bool live) => new()
        {
            Kind = CaseKind.ReferenceDpo,
            Size = settings.ReferenceSize,
            Length = length,
            Batch = pairs,
            LiveReference = live,
            MinSeconds = settings.MinSeconds,
            MaxSteps = settings.MaxSteps,
            Threads = settings.Threads,
        };
        var cached = Measure(Spec(live: false));
        var live = Measure(Spec(live: true));
        foreach (var (variant, c) in new[] { ("cached", cached), ("live reference forward", live) })
            report.Reference.Add(new ReferenceRow(variant, c.Spec.Shape.Label, length, pairs, c.Result.MedianStepSeconds,
                c.Result.MedianStepSeconds / cached.Result.MedianStepSeconds, c.Result.PeakResidentBytes / MiB,
                (double)c.Result.PeakResidentBytes / cached.Result.PeakResidentBytes));
    }

    private void Lora()
    {
        int length = 256, batch = Math.Max(1, settings.TokensPerBatch / length);
        foreach (var objective in new[] { ObjectiveKind.Sft, ObjectiveKind.Dpo })
        {
            var full = StepCase(settings.LoraSize, CausalLmArchitecture.GptNeoX, length, batch, objective);
            var lora = StepCase(settings.LoraSize, CausalLmArchitecture.GptNeoX, length, batch, objective, lora: true);
            foreach (var (variant, c) in new[] { ("full", full), ("LoRA r=32 on query_key_value", lora) })
                report.Lora.Add(new LoraRow(objective.ToString().ToUpperInvariant(), variant, c.Spec.Shape.Label, c.Result.TrainableParameters,
                    c.Result.MedianStepSeconds, c.Result.MedianStepSeconds / full.Result.MedianStepSeconds,
                    c.Result.PeakResidentBytes / MiB, (double)c.Result.PeakResidentBytes / full.Result.PeakResidentBytes));
        }
    }

    // The same LoRA SFT step with a float32 model and with a bfloat16 one (float32 masters of the adapters and
    // float32 AdamW state), each in its own process: weight bytes, the resident memory the weights took, step time.
    private void Precision()
    {
        var size = settings.LoraSize;
        int length = 256, batch = Math.Max(1, settings.TokensPerBatch / length);
        var (_, fp32) = StepCase(size, CausalLmArchitecture.GptNeoX, length, batch, ObjectiveKind.Sft, lora: true);
        var (spec, bf16) = StepCase(size, CausalLmArchitecture.GptNeoX, length, batch, ObjectiveKind.Sft, lora: true, precision: MixedPrecision.BFloat16);
        foreach (var (variant, r) in new[] { ("fp32", fp32), ("bf16 mixed precision", bf16) })
            report.Precision.Add(new PrecisionRow(variant, spec.Shape.Label, r.Parameters, r.WeightBytes / MiB, r.WeightResidentBytes / MiB, (double)r.WeightBytes / fp32.WeightBytes,
                r.MedianStepSeconds, r.MedianStepSeconds / fp32.MedianStepSeconds, r.PeakResidentBytes / MiB, (double)r.PeakResidentBytes / fp32.PeakResidentBytes));
    }

    // Fixed-length rows show whether anything accumulates step after step; rows of varying length show what
    // the allocator keeps on top of that.
    private void Growth()
    {
        int[] samples = Enumerable.Range(1, settings.GrowthSteps / 100).Select(i => i * 100).ToArray();
        foreach (bool varying in new[] { false, true })
        {
            var (_, result) = Measure(new CaseSpec
            {
                Kind = CaseKind.Growth,
                Size = settings.GrowthSize,
                Length = 128,
                MixedLengths = varying,
                SftBatch = 4,
                DpoBatch = 2,
                Steps = settings.GrowthSteps,
                SampleSteps = samples,
                Threads = settings.Threads,
            });
            string rows = varying ? "lengths 32..128" : "all 128 tokens";
            foreach (var (step, bytes) in result.ResidentAfterStep.OrderBy(kv => kv.Key))
                report.Growth.Add(new GrowthRow(rows, step, bytes / MiB));
        }
    }

    private void Scaling()
    {
        ScalingRow? previous = null;
        foreach (int length in settings.ScalingLengths.Order())
        {
            // Two rows, T and T/2 tokens: a right-padded batch, as real batches are.
            var (_, r) = StepCase(settings.ScalingSize, CausalLmArchitecture.GptNeoX, length, batch: 2, ObjectiveKind.Sft, mixedLengths: true);
            double activation = (r.PeakResidentBytes - r.StartResidentBytes - 12.0 * r.TrainableParameters) / MiB;
            var row = new ScalingRow(length, r.MedianStepSeconds, previous is null ? double.NaN : r.MedianStepSeconds / previous.StepSeconds,
                r.MedianStepSeconds / r.TokensPerStep * 1e6, r.PeakResidentBytes / MiB, activation, previous is null ? double.NaN : activation / previous.ActivationMiB);
            report.Scaling.Add(row);
            previous = row;
        }
        report.ScalingMemoryExponent = LogLogSlope(report.Scaling.Select(s => ((double)s.Length, s.ActivationMiB)).ToArray());
    }

    /// <summary>
    /// The runtime overhead (the smallest model's run, less the planner's estimate of that model), then the
    /// planner's estimate beside the measured peak of each case of a grid: the architectures of --archs, LoRA and
    /// full fine-tuning, checkpointing off and on, each length; SFT throughout, and DPO for the first architecture
    /// at the first length.
    /// </summary>
    private void Planner()
    {
        long overhead = RuntimeOverhead();

        var cases = new List<CaseSpec>();
        foreach (var architecture in settings.Architectures)
            foreach (int length in settings.PlannerLengths)
                foreach (bool lora in new[] { false, true })
                    foreach (bool checkpointing in new[] { false, true })
                    {
                        var spec = new CaseSpec
                        {
                            Kind = CaseKind.Step, Size = settings.PlannerSize, Architecture = architecture, Length = length,
                            Batch = Math.Max(1, 1024 / length), Lora = lora, Checkpointing = checkpointing,
                            MinSeconds = 0, MinSteps = 1, MaxSteps = 2, Threads = settings.Threads, FixedMmapThreshold = true,
                        };
                        cases.Add(spec);
                        if (architecture == settings.Architectures[0] && length == settings.PlannerLengths[0])
                            cases.Add(spec with { Objective = ObjectiveKind.Dpo, Batch = Math.Max(1, spec.Batch / 2) });
                    }
        foreach (var spec in cases)
        {
            var (_, r) = Measure(spec);
            var e = Estimate(spec, overhead);
            var row = new PlannerRow(spec.Shape.Label, spec.Objective.ToString().ToUpperInvariant(), spec.Length, spec.Batch, spec.Lora, spec.Checkpointing,
                e.TotalBytes / MiB, r.PeakResidentBytes / MiB, e.ActivationsBytes / MiB, e.LogitsBytes / MiB,
                (e.WeightsBytes + e.MasterWeightsBytes + e.OptimizerStateBytes) / MiB);
            report.Planner.Add(row);
            log.WriteLine($"      estimate {row.EstimateMiB:F0} MiB, measured {row.MeasuredMiB:F0} MiB ({row.Ratio - 1:+0.0%;-0.0%})");
        }
    }

    /// <summary>The peak of a run of the smallest model less the planner's estimate of that model (its weights, state and step).</summary>
    private long RuntimeOverhead()
    {
        var tiny = new CaseSpec { Kind = CaseKind.Step, Size = "tiny", Length = 16, Batch = 1, MinSeconds = 0, MinSteps = 1, MaxSteps = 2, Threads = settings.Threads, FixedMmapThreshold = true };
        var (_, tinyResult) = Measure(tiny);
        long overhead = tinyResult.PeakResidentBytes - Estimate(tiny, runtimeOverhead: 0).TotalBytes;
        report.RuntimeOverheadMiB = overhead / MiB;
        log.WriteLine($"   runtime overhead: {overhead / MiB:F0} MiB");
        return overhead;
    }

    /// <summary>The planner's estimate for a measured step or ALRIGHT case, with the options the case trains with.</summary>
    private static MemoryEstimate Estimate(CaseSpec spec, long runtimeOverhead)
    {
        var options = CaseRunner.Options(spec.Batch, spec.Batch, spec.Checkpointing) with { Lora = spec.Lora ? CaseRunner.PaperLora : null };
        bool both = spec.Kind == CaseKind.AlRight;
        var plan = new MemoryPlanSettings
        {
            RuntimeOverheadBytes = runtimeOverhead,
            ResponseTokens = SyntheticRows.ScoredTokens(spec.Length),
            Objective = both ? null : spec.Objective,
            PreferencePairs = both ? spec.Batch * spec.Steps : spec.Objective == ObjectiveKind.Dpo ? spec.Batch : 0,
        };
        return MemoryEstimate.For(spec.Shape.Config(Math.Max(256, spec.Length)), options, spec.Batch, spec.Length, MemoryPrecision.Float32, plan);
    }

    /// <summary>
    /// The paper's pythia-1b setting at this machine's scale: a pythia-1b-shaped model with random weights, LoRA
    /// r = α = 32 on query_key_value, ALRIGHT (DPO against the initial model's cached log-probs, and SFT), one row
    /// or pair of T tokens per step, with and without gradient checkpointing, each in its own process.
    /// </summary>
    private void Pythia()
    {
        long overhead = double.IsNaN(report.RuntimeOverheadMiB) ? RuntimeOverhead() : (long)(report.RuntimeOverheadMiB * MiB);
        foreach (bool checkpointing in new[] { true, false })
        {
            var spec = new CaseSpec
            {
                Kind = CaseKind.AlRight, Size = "pythia-1b", Length = settings.PythiaLength, Batch = 1, Lora = true, Checkpointing = checkpointing,
                Steps = settings.PythiaSteps, Threads = settings.Threads, FixedMmapThreshold = true,
            };
            var (_, r) = Measure(spec);
            var e = Estimate(spec, overhead);
            double dpo = CaseResult.Median(r.DpoStepSeconds), sft = CaseResult.Median(r.SftStepSeconds);
            long resident = e.WeightsBytes + e.OptimizerStateBytes + e.ReferenceBytes + overhead;
            var row = new PythiaRow(checkpointing ? "checkpointed" : "plain", spec.Length, r.DpoStepSeconds.Length, r.SftStepSeconds.Length, dpo, sft,
                2.0 * spec.Length / dpo, spec.Length / sft, r.PeakResidentBytes / MiB, e.TotalBytes / MiB, e.StepPeakBytes / MiB,
                (r.PeakResidentBytes - resident) / MiB);
            report.Pythia.Add(row);
            log.WriteLine($"      DPO {dpo:F1} s/step, SFT {sft:F1} s/step, peak {row.PeakMiB:F0} MiB, estimate {row.EstimateMiB:F0} MiB");
        }
    }

    /// <summary>The paper's Llama-3-8B setting: bfloat16 base, LoRA r = α = 16 on q_proj and v_proj, checkpointing, ALRIGHT.</summary>
    private void LlamaPlans()
    {
        var config = CausalLmConfig.CreateLlama(vocabSize: 128256, hiddenSize: 4096, numLayers: 32, numHeads: 32, numKeyValueHeads: 8,
            intermediateSize: 14336, maxPositionEmbeddings: 8192, ropeTheta: 500000);
        foreach (int length in new[] { 512, 1024 })
        {
            var options = CaseRunner.Options(1, 1, checkpointing: true) with { Lora = new LoraOptions { Rank = 16, Alpha = 16, TargetModules = ["q_proj", "v_proj"] } };
            var estimate = MemoryEstimate.For(config, options, 1, length, MemoryPrecision.BFloat16);
            foreach (double budget in new[] { 24.0, 80.0, 141.0 })
                report.Plans.Add(new PlanRow($"Llama-3-8B, bf16 base, LoRA r=16 q/v, checkpointing, ALRIGHT, T={length}", budget, estimate.TotalGiB,
                    estimate.Fits(budget), estimate.LargestBatchThatFits(budget)));
        }
    }

    /// <summary>
    /// Packed against padded SFT batches of 12 rows with the lengths of the alpaca subset (../shared/data, tokenized
    /// with the GPT-NeoX-20B tokenizer, rows cut at 512 tokens), the same batches both ways, in random and in the
    /// trainer's length-grouped order. Skipped with a message when the shared folder is absent.
    /// </summary>
    private void Packing()
    {
        var shared = XRight.Tests.SharedFolder.Find();
        string? data = shared is null ? null : Path.Combine(shared, "data", "alpaca_gpt4_sft_2k.jsonl");
        string? tokenizerFolder = shared is null ? null : Path.Combine(shared, "tokenizers", "gpt-neox-20b");
        if (data is null || !File.Exists(data) || !Directory.Exists(tokenizerFolder))
        {
            report.PackingSkipped = "skipped: the shared folder with data/alpaca_gpt4_sft_2k.jsonl and tokenizers/gpt-neox-20b (beside the repository, or XRIGHT_SHARED_DIR) is not present";
            log.WriteLine("   " + report.PackingSkipped);
            return;
        }
        var tokenizer = XRight.Text.CausalLmTokenizer.FromPretrained(tokenizerFolder!);
        const int maxLength = 512;
        var lengths = File.ReadLines(data).Where(l => l.Trim().Length > 0).Select(line =>
        {
            var row = System.Text.Json.Nodes.JsonNode.Parse(line)!;
            var (prompt, response) = XRight.Text.PromptResponseEncoder.Encode(tokenizer, (string)row["prompt"]!, (string)row["response"]!);
            int p = Math.Min(prompt.Length, maxLength / 2);
            return new[] { p, Math.Max(1, Math.Min(response.Length, maxLength - p)) };
        }).ToArray();
        foreach (bool grouped in new[] { false, true })
        {
            var (spec, r) = Measure(new CaseSpec
            {
                Kind = CaseKind.Packing, Size = settings.PackingSize, Length = maxLength, Batch = 12, Steps = settings.PackingBatches, RowLengths = lengths,
                Grouped = grouped, Threads = settings.Threads,
            });
            double padded = r.PaddedSeconds.Sum(), packed = r.PackedSeconds.Sum();
            var row = new PackingRow(grouped ? "grouped by length" : "random", spec.Steps, spec.Batch, 1 - (double)r.RealTokens / r.PaddedTokens,
                1 - (double)r.RealTokens / r.PackedTokens, padded / spec.Steps, packed / spec.Steps, r.RealTokens / padded, r.RealTokens / packed);
            report.Packing.Add(row);
            log.WriteLine($"      padded {row.PaddedSeconds:F2} s/batch, packed {row.PackedSeconds:F2} s/batch ({row.Speedup:F2}×)");
        }
    }

    // Padding depends only on the lengths in each batch, so it is counted without running a model.
    private void Padding()
    {
        var instructions = SyntheticRows.VariableInstructions(2400, 32, 512, 8192, seed: 11);
        var preferences = SyntheticRows.VariablePreferences(800, 32, 512, 8192, seed: 12);
        foreach (bool grouped in new[] { false, true })
        {
            var sft = new BatchLoader<TokenizedInstruction>(instructions, 12, seed: 1, grouped ? r => r.Length : null);
            report.Padding.Add(new PaddingRow("SFT", 12, grouped, PaddingShare(sft, r => [r.Length])));
            var dpo = new BatchLoader<TokenizedPreference>(preferences, 4, seed: 1, grouped ? r => r.Length : null);
            report.Padding.Add(new PaddingRow("DPO", 4, grouped, PaddingShare(dpo, r => [r.Prompt.Length + r.Chosen.Length, r.Prompt.Length + r.Rejected.Length])));
        }
    }

    private static double PaddingShare<T>(BatchLoader<T> loader, Func<T, int[]> sequenceLengths)
    {
        long real = 0, padded = 0;
        for (int b = 0; b < loader.BatchesPerEpoch; b++)
        {
            var lengths = loader.Next().SelectMany(sequenceLengths).ToArray();
            real += lengths.Sum();
            padded += (long)lengths.Length * lengths.Max();
        }
        return 1 - (double)real / padded;
    }

    // The 1-minute load average: how busy the machine was with this and other work.
    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) : double.NaN;

    private static double LogLogSlope(IReadOnlyList<(double X, double Y)> points)
    {
        var valid = points.Where(p => p.X > 0 && p.Y > 0).Select(p => (X: Math.Log(p.X), Y: Math.Log(p.Y))).ToArray();
        if (valid.Length < 2) return double.NaN;
        double mx = valid.Average(p => p.X), my = valid.Average(p => p.Y);
        return valid.Sum(p => (p.X - mx) * (p.Y - my)) / valid.Sum(p => (p.X - mx) * (p.X - mx));
    }

    // A case asked for twice (the LoRA comparison's full fine-tuning steps are throughput cases) runs once.
    private readonly Dictionary<string, CaseResult> _measured = [];

    private (CaseSpec Spec, CaseResult Result) Measure(CaseSpec spec)
    {
        string key = System.Text.Json.JsonSerializer.Serialize(spec, Json.Options);
        if (_measured.TryGetValue(key, out var known)) return (spec, known);
        log.Write($"   {spec.Label} ... ");
        double busy = WaitForQuiet();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        double loadBefore = LoadAverage();
        var result = ChildProcess.Run(spec);
        result = result with { LoadAverage = [loadBefore, LoadAverage()], BusyBefore = busy };
        if (result.RoundSeconds.Count > 0)
            log.WriteLine(string.Join(", ", result.RoundSeconds.Select(kv => $"{kv.Key} {string.Join("/", kv.Value.Select(t => t.ToString("F2")))} s")) + $" ({watch.Elapsed.TotalSeconds:F0} s)");
        else log.WriteLine(result.StepSeconds.Length > 0
            ? $"{result.MedianStepSeconds:F3} s/step, {result.StepSeconds.Length} of {result.MeasuredSteps} steps undisturbed, CPU share {result.CpuShare:P0}, peak {result.PeakResidentBytes / MiB:F0} MiB ({watch.Elapsed.TotalSeconds:F0} s)"
            : $"{result.RunSeconds:F2} s, CPU share {result.CpuShare:P0}, peak {result.PeakResidentBytes / MiB:F0} MiB ({watch.Elapsed.TotalSeconds:F0} s)");
        _measured[key] = result;
        return (spec, result);
    }
}
