using System.Text;
using XRight.Evaluation;
using XRight.Modeling;
using XRight.Selection;
using XRight.Training;
using XRight.Training.Logging;

namespace XRight.Tests.Training;

[TestClass]
public sealed class TrainingLogTests
{
    [TestMethod]
    public void TheTestReadersCrcIsCrc32C()
    {
        // The CRC-32C check value of the catalogue of parametrised CRC algorithms.
        Assert.AreEqual(0xE3069283u, EventFileReader.Crc32C(Encoding.ASCII.GetBytes("123456789")));
    }

    [TestMethod]
    public void EveryStepAndEvaluationIsInTheEventFileAsTheTrainerReportedIt()
    {
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with { Logging = new LoggingOptions { TensorBoardDirectory = dir.Path } };
        var reports = new Recorder();
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var result = new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data(), reports);
        using var model = result.Model;
        long after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        CollectionAssert.AreEqual(new[] { "training" }, Directory.GetDirectories(dir.Path).Select(Path.GetFileName).ToArray(),
            "with the initial model as reference and f* given, the main run is the only one");
        var files = Directory.GetFiles(Path.Combine(dir.Path, "training"));
        Assert.HasCount(1, files);
        StringAssert.StartsWith(Path.GetFileName(files[0]), "events.out.tfevents.");
        var events = EventFileReader.Read(files[0]);
        Assert.AreEqual("brain.Event:2", events[0].FileVersion);
        foreach (var e in events.Skip(1))
        {
            Assert.IsNull(e.FileVersion);
            Assert.IsTrue(e.WallTime >= before && e.WallTime <= after, $"wall time {e.WallTime} is the Unix time of the run");
        }
        var logged = Scalars(events.Skip(1));

        // The trainer's reports, turned into tags here: the updated objective's metrics, flags, norm, rate, throughput.
        var expected = new Dictionary<(string, long), float>();
        var training = reports.Steps.Where(r => r.Phase == "training").ToArray();
        Assert.AreEqual(result.Summary.Steps, training.Length);
        foreach (var r in training)
        {
            bool sft = r.Stepped == ObjectiveKind.Sft, dpo = r.Stepped == ObjectiveKind.Dpo;
            Assert.IsTrue(sft || dpo, "ALRIGHT updates one objective a step");
            var metrics = sft ? r.Sft!.ToDictionary() : r.Dpo!.ToDictionary();
            foreach (var (key, value) in metrics) expected[($"train/{(sft ? "sft" : "dpo")}/{key}", r.Step)] = (float)value;
            expected[("train/stepped_sft", r.Step)] = sft ? 1 : 0;
            expected[("train/stepped_dpo", r.Step)] = dpo ? 1 : 0;
            expected[("train/grad_norm", r.Step)] = (float)r.GradientNorm;
            expected[("train/learning_rate", r.Step)] = (float)r.LearningRate;
            expected[("train/tokens_per_second", r.Step)] = (float)r.TokensPerSecond;
        }
        // Held-out values: the trajectory's, and their gaps to the given f* = 0; the rest of the metrics from the evaluation reports.
        Assert.AreEqual(result.Summary.Trajectory.Count, reports.Evaluations.Count);
        foreach (var (point, evaluation) in result.Summary.Trajectory.Zip(reports.Evaluations))
        {
            Assert.AreEqual(point.Step, evaluation.Step);
            expected[("eval/f_dpo", point.Step)] = (float)point.FDpo;
            expected[("eval/f_sft", point.Step)] = (float)point.FSft;
            expected[("eval/gap_dpo", point.Step)] = (float)(point.FDpo - 0.0);
            expected[("eval/gap_sft", point.Step)] = (float)(point.FSft - 0.0);
            expected[("eval/sft/mean_token_accuracy", point.Step)] = (float)evaluation.HeldOut.SftTokenAccuracy;
            expected[("eval/dpo/rewards/accuracies", point.Step)] = (float)evaluation.HeldOut.RewardAccuracy;
            expected[("eval/dpo/rewards/margins", point.Step)] = (float)evaluation.HeldOut.RewardMargin;
            expected[("eval/dpo/rewards/chosen", point.Step)] = (float)evaluation.HeldOut.ChosenReward;
            expected[("eval/dpo/rewards/rejected", point.Step)] = (float)evaluation.HeldOut.RejectedReward;
            Assert.IsEmpty(evaluation.Samples, "no samples unless asked for");
        }
        CollectionAssert.AreEquivalent(new[] { 1, 4, 8, result.Summary.Steps }.Distinct().ToArray(), result.Summary.Trajectory.Select(p => p.Step).ToArray());
        Assert.AreEqual(expected.Count, logged.Count, "each (tag, step) once, nothing else");
        foreach (var (key, value) in expected)
        {
            Assert.IsTrue(logged.TryGetValue(key, out var found), $"{key} is logged");
            Assert.AreEqual(value, found, $"{key}");
        }
    }

    [TestMethod]
    public void AResumedRunContinuesTheLogWithEveryStepOnce()
    {
        using var log = new TempDirectory();
        using var checkpoints = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Logging = new LoggingOptions { TensorBoardDirectory = log.Path },
            Checkpoints = new CheckpointOptions { Directory = checkpoints.Path, Interval = 3, Keep = 5 },
        };
        using var cancel = new CancellationTokenSource();
        var first = new Recorder(cancelAfter: 7, cancel);
        Assert.ThrowsExactly<OperationCanceledException>(() => new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data(), first, cancel.Token));
        var folder = Path.Combine(log.Path, "training");
        var interrupted = Scalars(Directory.GetFiles(folder).SelectMany(EventFileReader.Read));
        Assert.AreEqual(7, interrupted.Keys.Where(k => k.Tag == "train/grad_norm").Max(k => k.Step), "the interrupted run logged step 7");

        var resume = options with { Checkpoints = options.Checkpoints with { ResumeFrom = Path.Combine(checkpoints.Path, "checkpoint-0000006") } };
        var second = new Recorder();
        var result = new JointTrainer(resume).Train(() => TinyTask.Model(), TinyTask.Data(), second);
        using var model = result.Model;

        var files = Directory.GetFiles(folder).Order().ToArray();
        Assert.HasCount(2, files, "the first run's file (cut after step 6) and the resumed run's");
        var firstFile = EventFileReader.Read(files[0]);
        Assert.AreEqual(6, firstFile.Max(e => e.Step), "events after the checkpoint's step are gone from the first file");
        var all = files.SelectMany(EventFileReader.Read).Where(e => e.FileVersion is null).ToArray();
        var pairs = all.SelectMany(e => e.Values.Select(v => (v.Tag, e.Step))).ToArray();
        Assert.AreEqual(pairs.Length, pairs.Distinct().Count(), "no (tag, step) twice");
        var gradNormSteps = pairs.Where(p => p.Tag == "train/grad_norm").Select(p => p.Step).Order().ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(1, result.Summary.Steps).Select(s => (long)s).ToArray(), gradNormSteps, "every step once, in order");
        var logged = Scalars(all);
        foreach (var r in first.Steps.Where(r => r.Step <= 6).Concat(second.Steps))
            Assert.AreEqual((float)r.GradientNorm, logged[("train/grad_norm", r.Step)], $"step {r.Step}");
        foreach (var p in result.Summary.Trajectory)
            Assert.AreEqual((float)p.FSft, logged[("eval/f_sft", p.Step)], $"evaluation at step {p.Step}");
    }

    [TestMethod]
    public void CompletionSamplesAreTheModelsGreedyGenerationsAtEachEvaluation()
    {
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Strategy = options.Strategy with { MaxSteps = 5 },
            Logging = new LoggingOptions { TensorBoardDirectory = dir.Path, CompletionSamples = 2, SampleGeneration = new GenerationOptions { MaxNewTokens = 4 } },
        };
        var data = TinyTask.Data();
        data = new JointTrainingData
        {
            Instructions = data.Instructions, Preferences = data.Preferences,
            InstructionEvaluation = data.InstructionEvaluation, PreferenceEvaluation = data.PreferenceEvaluation,
            Decode = ids => string.Concat(ids.Select(i => (char)('a' + i))),
        };
        var prompts = data.InstructionEvaluation!.Take(2).Select(r => r.Prompt).ToArray();
        CausalLm? policy = null;
        var recorder = new Recorder();
        // At each evaluation the test generates, greedily and separately, from the policy as it is at that step.
        var separate = new List<(int Step, int[][] Ids)>();
        recorder.OnEvaluation = e => separate.Add((e.Step, policy!.Generate(prompts, new GenerationOptions { MaxNewTokens = 4, StopTokenIds = [] })
            .Select(g => g.TokenIds).ToArray()));
        var result = new JointTrainer(options).Train(() => policy = TinyTask.Model(), data, recorder);
        using var model = result.Model;
        Assert.AreSame(policy, result.Model);

        CollectionAssert.AreEqual(new[] { 1, 4, 5 }, recorder.Evaluations.Select(e => e.Step).ToArray());
        var events = Directory.GetFiles(Path.Combine(dir.Path, "training")).SelectMany(EventFileReader.Read).ToArray();
        foreach (var (evaluation, (step, ids)) in recorder.Evaluations.Zip(separate))
        {
            Assert.HasCount(2, evaluation.Samples);
            for (int i = 0; i < 2; i++)
            {
                var sample = evaluation.Samples[i];
                CollectionAssert.AreEqual(prompts[i], sample.PromptIds);
                // Stop tokens cut a completion; the separate generation did not stop, so the sample is its prefix up to the first EOS.
                int eos = Array.IndexOf(ids[i], TinyTask.Eos);
                var expectedIds = eos < 0 ? ids[i] : ids[i][..eos];
                CollectionAssert.AreEqual(expectedIds, sample.CompletionIds, $"step {step} sample {i}");
                string prompt = string.Concat(prompts[i].Select(t => (char)('a' + t))), completion = string.Concat(expectedIds.Select(t => (char)('a' + t)));
                Assert.AreEqual((prompt, completion), (sample.Prompt, sample.Completion));
                var reason = eos < 0 ? "MaxNewTokens" : "StopToken";
                var text = events.Where(e => e.Step == step).SelectMany(e => e.Values).Single(v => v.Tag == $"samples/{i}/text_summary");
                Assert.AreEqual("text", text.Plugin, "TensorBoard's text plugin shows it");
                Assert.AreEqual($"**Prompt**\n\n    {prompt}\n\n**Completion** ({reason})\n\n    {completion}", text.Text);
            }
        }
        // The final samples are those of the returned model.
        var last = model.Generate(prompts, new GenerationOptions { MaxNewTokens = 4 });
        CollectionAssert.AreEqual(last.Select(g => string.Join(',', g.TokenIds)).ToArray(), recorder.Evaluations[^1].Samples.Select(s => string.Join(',', s.CompletionIds)).ToArray());
    }

    [TestMethod]
    public void BenchmarksRunAtEachEvaluationOnThePolicyOfThatStepAndLeaveTrainingAsItWas()
    {
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with { Strategy = options.Strategy with { MaxSteps = 9 } };
        var data = TinyTask.Data();
        var plain = new JointTrainer(options).Train(() => TinyTask.Model(), data);
        using var plainModel = plain.Model;

        CausalLm? policy = null;
        var recorder = new Recorder();
        var independent = new List<(int Step, double Sum, bool Training)>();
        // The probe sums the weights and leaves the model in evaluation mode, which the trainer must undo.
        recorder.OnEvaluation = e => independent.Add((e.Step, policy!.parameters().Sum(p => p.detach().data<float>().ToArray().Sum(v => (double)v)), policy.training));
        var trainer = new JointTrainer(options with { Logging = new LoggingOptions { TensorBoardDirectory = dir.Path } })
        {
            Benchmarks = model =>
            {
                double sum = model.parameters().Sum(p => p.to(TorchSharp.torch.ScalarType.Float64).sum().item<double>());
                model.eval();
                return [new BenchmarkResult
                {
                    Benchmark = "probe",
                    Metrics = new Dictionary<string, double> { ["weight_sum"] = sum },
                    Counts = new Dictionary<string, long>(),
                    Settings = new Dictionary<string, string>(),
                }];
            },
        };
        var result = trainer.Train(() => policy = TinyTask.Model(), data, recorder);
        using var model = result.Model;

        CollectionAssert.AreEqual(new[] { 1, 4, 8, 9 }, independent.Select(i => i.Step).ToArray());
        var logged = Scalars(Directory.GetFiles(Path.Combine(dir.Path, "training")).SelectMany(EventFileReader.Read));
        foreach (var (step, sum, training) in independent)
        {
            Assert.IsTrue(training, $"step {step}: the policy is back in training mode");
            Assert.AreEqual(sum, logged[("benchmark/probe/weight_sum", step)], Math.Abs(sum) * 1e-6, $"step {step}");
            Assert.AreEqual(sum, recorder.Evaluations.Single(e => e.Step == step).Benchmarks.Single().Metrics["weight_sum"], Math.Abs(sum) * 1e-9);
        }
        var a = plainModel.state_dict();
        foreach (var (name, tensor) in model.state_dict())
            CollectionAssert.AreEqual(a[name].data<float>().ToArray(), tensor.data<float>().ToArray(), $"{name}: benchmarks do not change the run");
    }

    [TestMethod]
    public void ASweepLogsTheEstimatesAndEachCandidateAsSeparateRuns()
    {
        using var work = new TempDirectory();
        using var log = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with { Strategy = options.Strategy with { DpoOptimum = null, SftOptimum = null }, Logging = new LoggingOptions { TensorBoardDirectory = log.Path } };
        using var probe = TinyTask.Model();
        var inputs = new SweepInputs { Options = options, Data = TinyTask.Data(), CreateModel = () => TinyTask.Model(), ModelIdentity = ContentHash.OfModel(probe) };
        var result = new ParetoSweep(new ParetoSweepOptions { Strategies = [JointStrategy.AlRight], Lambdas = [0.5], WorkingDirectory = work.Path })
            .Run(inputs, new PretrainedFolderCandidateTrainer());

        string[] Runs(string folder) => [.. Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        CollectionAssert.AreEqual(new[] { "alright-l0.5", "optimum-dpo", "optimum-sft", "sequential-1-1" }, Runs(log.Path));
        foreach (var candidate in result.Report.Candidates.Select(c => c.Candidate))
        {
            var folder = Path.Combine(log.Path, candidate.Name.StartsWith("ALRIGHT", StringComparison.Ordinal) ? "alright-l0.5" : "sequential-1-1", "training");
            var steps = Scalars(Directory.GetFiles(folder).SelectMany(EventFileReader.Read)).Keys.Where(k => k.Tag == "train/grad_norm").Select(k => k.Step).Order().ToArray();
            CollectionAssert.AreEqual(Enumerable.Range(1, candidate.Run.Steps).Select(i => (long)i).ToArray(), steps, candidate.Name);
        }
    }

    [TestMethod]
    public void BenchmarkResultsAreScalarsUnderTheirNameAndAFreshLogReplacesAnOldOne()
    {
        using var dir = new TempDirectory();
        var log = new TensorBoardLog(dir.Path);
        log.AddScalar("train/loss", 2.5, 1);
        log.AddScalar("train/loss", 1.25, 2);
        var result = new BenchmarkResult
        {
            Benchmark = "hellaswag",
            Metrics = new Dictionary<string, double> { ["acc"] = 0.375, ["acc_norm"] = 0.5, ["nan"] = double.NaN },
            Counts = new Dictionary<string, long> { ["rows"] = 8 },
            Settings = new Dictionary<string, string>(),
        };
        new TensorBoardLog(dir.Path).AddBenchmark(result, 2);
        var files = Directory.GetFiles(dir.Path).Order().ToArray();
        Assert.HasCount(2, files, "each log writes its own file; null continueAfterStep keeps the others");
        var scalars = Scalars(files.SelectMany(EventFileReader.Read));
        Assert.AreEqual(4, scalars.Count, "a non-finite metric is left out");
        Assert.AreEqual(0.375f, scalars[("benchmark/hellaswag/acc", 2)]);
        Assert.AreEqual(0.5f, scalars[("benchmark/hellaswag/acc_norm", 2)]);
        Assert.AreEqual(1.25f, scalars[("train/loss", 2)]);

        // A writer killed mid-record leaves a partial tail: trimming drops it with the later steps.
        var bytes = File.ReadAllBytes(files[0]);
        File.WriteAllBytes(files[0], [.. bytes, .. bytes.AsSpan(16, 7).ToArray()]);
        new TensorBoardLog(dir.Path, continueAfterStep: 1);
        var kept = Directory.GetFiles(dir.Path).Select(EventFileReader.Read).Where(e => e.Count > 1).ToArray();
        Assert.HasCount(1, kept, "the benchmark file had nothing at or before step 1 and is gone; the new file has only its header");
        CollectionAssert.AreEqual(new[] { ("train/loss", 1L) }, Scalars(kept[0]).Keys.ToArray());
        Assert.AreEqual(2.5f, Scalars(kept[0])[("train/loss", 1)]);
    }

    private static Dictionary<(string Tag, long Step), float> Scalars(IEnumerable<EventFileReader.Event> events)
    {
        var scalars = new Dictionary<(string, long), float>();
        foreach (var e in events)
            foreach (var v in e.Values.Where(v => v.Simple is not null))
                Assert.IsTrue(scalars.TryAdd((v.Tag, e.Step), v.Simple!.Value), $"{v.Tag} at step {e.Step} is logged once");
        return scalars;
    }

    private sealed class Recorder(int? cancelAfter = null, CancellationTokenSource? cancel = null) : IProgress<TrainingProgress>, IProgress<TrainingEvaluation>
    {
        public List<TrainingProgress> Steps { get; } = [];
        public List<TrainingEvaluation> Evaluations { get; } = [];
        public Action<TrainingEvaluation>? OnEvaluation { get; set; }

        public void Report(TrainingProgress value)
        {
            Steps.Add(value);
            if (value.Phase == "training" && value.Step == cancelAfter) cancel!.Cancel();
        }

        public void Report(TrainingEvaluation value)
        {
            Evaluations.Add(value);
            OnEvaluation?.Invoke(value);
        }
    }
}
