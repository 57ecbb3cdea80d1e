using XRight.Modeling;
using XRight.Selection;
using XRight.Tests.Training;
using XRight.Training;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class ParetoSweepTests
{
    /// <summary>Trains through the Hugging Face folder trainer and records which candidates it trained.</summary>
    private sealed class CountingTrainer : ISweepCandidateTrainer
    {
        private readonly PretrainedFolderCandidateTrainer _inner = new();
        public List<string> Trained { get; } = [];
        public string ModelSuffix => _inner.ModelSuffix;

        public TrainingRunSummary Train(SweepCandidateRun run, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
        {
            Trained.Add(run.Candidate.Name);
            return _inner.Train(run, progress, cancellationToken);
        }
    }

    private sealed class Log(Action<ParetoProgress>? onReport = null) : IProgress<ParetoProgress>
    {
        public List<ParetoProgress> Events { get; } = [];
        public void Report(ParetoProgress value)
        {
            Events.Add(value);
            onReport?.Invoke(value);
        }
    }

    private sealed record Setup(JointTrainerOptions Options, JointTrainingData Data, int ModelSeed)
    {
        public SweepInputs Inputs()
        {
            using var probe = TinyTask.Model(ModelSeed);
            int seed = ModelSeed;
            return new SweepInputs { Options = Options, Data = Data, CreateModel = () => TinyTask.Model(seed), ModelIdentity = ContentHash.OfModel(probe) };
        }
    }

    private static Setup Base() => new(TinyTask.Options(JointStrategy.AlRight) with { Checkpoints = new() { Interval = 4 } }, TinyTask.Data(), ModelSeed: 1);

    private static ParetoSweepOptions Sweep(string directory, params double[] lambdas) => new()
    {
        Strategies = [JointStrategy.AlRight],
        Lambdas = lambdas.Length == 0 ? [0.5] : lambdas,
        WorkingDirectory = directory,
    };

    private static (ParetoSweepResult Result, CountingTrainer Trainer, Log Log) Run(Setup setup, ParetoSweepOptions options, Action<ParetoProgress>? onReport = null)
    {
        var trainer = new CountingTrainer();
        var log = new Log(onReport);
        return (new ParetoSweep(options).Run(setup.Inputs(), trainer, log), trainer, log);
    }

    private static (double, double, int)[] Objectives(ParetoSweepResult result)
        => [.. result.Report.Candidates.Select(c => (c.Candidate.FDpo, c.Candidate.FSft, c.Candidate.Run.Steps))];

    [TestMethod]
    public void ASweepTrainsEveryCandidateSavesItsFolderAndAnIdenticalRerunReusesEverything()
    {
        using var dir = new TempDirectory();
        var setup = Base();
        var (first, trainer, log) = Run(setup, Sweep(dir.Path));

        CollectionAssert.AreEqual(new[] { "ALRIGHT λ=0.5", "Sequential (1,1)" }, trainer.Trained);
        Assert.AreEqual(IdealValueSource.Estimated, first.Report.Ideal.DpoSource);
        Assert.AreEqual(first.Optimum, new ObjectivePair(first.Report.Ideal.FDpo, first.Report.Ideal.FSft));
        Assert.IsFalse(log.Events.Any(e => e.Reused));
        Assert.AreEqual(first.Report.Chosen, first.Chosen.Name);
        Assert.AreEqual(Path.Combine(dir.Path, "candidates", first.Chosen.Name.StartsWith("ALRIGHT") ? "alright-l0.5" : "sequential-1-1"), first.Chosen.ModelPath);
        using (var saved = CausalLm.FromPretrained(first.Chosen.ModelPath!)) Assert.AreEqual(TinyTask.Vocab, saved.Config.VocabSize);
        var joint = first.Report.Candidates.Single(c => c.Candidate.Name == "ALRIGHT λ=0.5").Candidate;
        Assert.AreEqual("ALRIGHT", joint.Strategy, "the family label groups plots");
        Assert.AreEqual("ALRIGHT(λ=0.5)", joint.Run.Strategy);
        Assert.AreEqual(first.Optimum.Dpo, joint.Run.DpoOptimum!.Value, "candidates train with the sweep's f*");

        var (second, trainer2, log2) = Run(setup, Sweep(dir.Path));
        Assert.IsEmpty(trainer2.Trained, "nothing is trained again");
        Assert.IsTrue(log2.Events.All(e => e.Reused && e.Step is null));
        Assert.HasCount(3, log2.Events, "f* and both candidates are reported as reused");
        Assert.IsTrue(second.Report.Candidates.All(c => c.Candidate.Reused));
        Assert.AreEqual((IdealValueSource.ReusedEstimate, IdealValueSource.ReusedEstimate), (second.Report.Ideal.DpoSource, second.Report.Ideal.SftSource));
        Assert.AreEqual(first.Optimum, second.Optimum);
        CollectionAssert.AreEqual(Objectives(first), Objectives(second));
        Assert.AreEqual(first.Report.Chosen, second.Report.Chosen);
    }

    [TestMethod]
    public void TruncatedRecordsAreRecomputedAndTheProgressNamesTheFile()
    {
        using var dir = new TempDirectory();
        var setup = Base();
        var options = Sweep(dir.Path) with { IncludeSequentialBaselines = false };
        var (first, _, _) = Run(setup, options);
        var optimumFile = Path.Combine(dir.Path, "optimum.json");
        var recordFile = Path.Combine(dir.Path, "candidates", "alright-l0.5.json");
        foreach (var file in new[] { optimumFile, recordFile })
        {
            var text = File.ReadAllText(file);
            File.WriteAllText(file, text[..(text.Length / 2)]);
        }

        var (second, trainer, log) = Run(setup, options);

        CollectionAssert.AreEqual(new[] { "ALRIGHT λ=0.5" }, trainer.Trained, "the candidate whose record was cut short is trained again");
        var optimumStart = log.Events.First(e => e.Index < 0);
        Assert.IsFalse(optimumStart.Reused);
        StringAssert.Contains(optimumStart.Note, optimumFile);
        StringAssert.Contains(optimumStart.Note, "unreadable");
        var candidateStart = log.Events.First(e => e.Index == 0);
        StringAssert.Contains(candidateStart.Note, recordFile);
        Assert.IsTrue(log.Events.Where(e => !ReferenceEquals(e, optimumStart) && !ReferenceEquals(e, candidateStart)).All(e => e.Note is null));
        Assert.AreEqual(first.Optimum, second.Optimum, "the recomputed f* is the same");
        CollectionAssert.AreEqual(Objectives(first), Objectives(second));
        var (_, trainer3, log3) = Run(setup, options);
        Assert.IsEmpty(trainer3.Trained, "the rewritten records are whole again");
        Assert.IsTrue(log3.Events.All(e => e.Reused && e.Note is null));
    }

    [TestMethod]
    public void AnOptimumRecordWithItsKeyButNoEstimateIsRecomputedNotReadAsZero()
    {
        using var dir = new TempDirectory();
        var setup = Base();
        var options = Sweep(dir.Path) with { IncludeSequentialBaselines = false };
        var (first, _, _) = Run(setup, options);
        var optimumFile = Path.Combine(dir.Path, "optimum.json");
        var key = System.Text.Json.JsonDocument.Parse(File.ReadAllText(optimumFile)).RootElement.GetProperty("Key").GetString();
        File.WriteAllText(optimumFile, System.Text.Json.JsonSerializer.Serialize(new { Key = key }));

        var (second, _, log) = Run(setup, options);

        var optimumStart = log.Events.First(e => e.Index < 0);
        Assert.IsFalse(optimumStart.Reused, "a record without its estimate is not reused");
        StringAssert.Contains(optimumStart.Note, "holds no complete record");
        Assert.AreEqual(first.Optimum, second.Optimum, "the estimate is computed again, not taken as (0, 0)");
        Assert.AreNotEqual(new ObjectivePair(0, 0), second.Optimum);
    }

    [TestMethod]
    public void AChangedLambdaListReusesTheMatchingCandidatesOnly()
    {
        using var dir = new TempDirectory();
        var setup = Base();
        var (first, _, _) = Run(setup, Sweep(dir.Path, 0.5));
        var (second, trainer, log) = Run(setup, Sweep(dir.Path, 0.25, 0.5));

        CollectionAssert.AreEqual(new[] { "ALRIGHT λ=0.25" }, trainer.Trained);
        Assert.IsTrue(log.Events.Single(e => e.Index < 0).Reused, "the f* estimate does not depend on the λ list");
        CollectionAssert.AreEqual(new[] { ("ALRIGHT λ=0.25", false), ("ALRIGHT λ=0.5", true), ("Sequential (1,1)", true) },
            second.Report.Candidates.Select(c => (c.Candidate.Name, c.Candidate.Reused)).ToArray());
        var before = first.Report.Candidates.ToDictionary(c => c.Candidate.Name, c => (c.Candidate.FDpo, c.Candidate.FSft));
        foreach (var name in new[] { "ALRIGHT λ=0.5", "Sequential (1,1)" })
        {
            var c = second.Report.Candidates.Single(r => r.Candidate.Name == name).Candidate;
            Assert.AreEqual(before[name], (c.FDpo, c.FSft), name);
        }
    }

    [TestMethod]
    [DataRow("epochs")]
    [DataRow("data")]
    [DataRow("model")]
    public void OtherEpochsDataOrBaseModelRecomputeEverythingWithFreshResults(string change)
    {
        using var dir = new TempDirectory();
        using var fresh = new TempDirectory();
        var setup = Base();
        var (first, _, _) = Run(setup, Sweep(dir.Path));
        var changed = change switch
        {
            "epochs" => setup with { Options = setup.Options with { Strategy = setup.Options.Strategy with { Epochs = 3 } } },
            "data" => setup with { Data = TinyTask.Data(seed: 6) },
            _ => setup with { ModelSeed = 2 },
        };

        var (second, trainer, log) = Run(changed, Sweep(dir.Path));
        var (expected, _, _) = Run(changed, Sweep(fresh.Path));

        CollectionAssert.AreEqual(expected.Report.Candidates.Select(c => c.Candidate.Name).ToArray(), trainer.Trained, "every candidate is trained again");
        Assert.IsFalse(log.Events.Any(e => e.Reused));
        Assert.IsTrue(log.Events.Any(e => e.Index < 0 && e.Step is not null), "f* is estimated again");
        Assert.IsFalse(second.Report.Candidates.Any(c => c.Candidate.Reused));
        Assert.AreEqual(expected.Optimum, second.Optimum);
        Assert.AreNotEqual(first.Optimum, second.Optimum);
        CollectionAssert.AreEqual(Objectives(expected), Objectives(second), "the same results as a sweep in an empty folder");

        // The stale files were replaced: the changed sweep now reuses everything in the first folder.
        var (third, again, _) = Run(changed, Sweep(dir.Path));
        Assert.IsEmpty(again.Trained);
        CollectionAssert.AreEqual(Objectives(second), Objectives(third));
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void AnInterruptedCandidateResumesFromItsCheckpointOnlyForTheSameContentKey(bool otherData)
    {
        using var dir = new TempDirectory();
        using var fresh = new TempDirectory();
        var setup = Base();
        using var cancel = new CancellationTokenSource();
        var stopAtStep6 = new Log(e =>
        {
            if (e.Candidate == "ALRIGHT λ=0.5" && e.Step is { Phase: "training", Step: 6 }) cancel.Cancel();
        });
        Assert.ThrowsExactly<OperationCanceledException>(() => new ParetoSweep(Sweep(dir.Path)).Run(setup.Inputs(), new CountingTrainer(), stopAtStep6, cancel.Token));
        Assert.IsFalse(File.Exists(Path.Combine(dir.Path, "candidates", "alright-l0.5.json")), "no record of an unfinished candidate");

        // The same key: the candidate continues after its checkpoint at step 4 and ends as an uninterrupted run would.
        // Another key (other data): that checkpoint is not used; training starts at step 1.
        var next = otherData ? setup with { Data = TinyTask.Data(seed: 6) } : setup;
        var (resumed, _, log) = Run(next, Sweep(dir.Path));
        var first = log.Events.First(e => e.Candidate == "ALRIGHT λ=0.5" && e.Step is { Phase: "training" }).Step!.Step;
        Assert.AreEqual(otherData ? 1 : 5, first);
        Assert.AreEqual(!otherData, log.Events.First(e => e.Index < 0).Reused, "f* is reused for the same key only");
        var (expected, _, _) = Run(next, Sweep(fresh.Path));
        CollectionAssert.AreEqual(Objectives(expected), Objectives(resumed));
    }

    [TestMethod]
    public void BadSweepsFailBeforeTraining()
    {
        var inputs = Base().Inputs();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ParetoSweep(new ParetoSweepOptions { Lambdas = [1.5] }).Plan(inputs.Options));
        Assert.ThrowsExactly<ArgumentException>(() => new ParetoSweep(new ParetoSweepOptions { Strategies = [JointStrategy.Sequential] }).Plan(inputs.Options));
        Assert.ThrowsExactly<ArgumentException>(() => new ParetoSweep(new ParetoSweepOptions { Lambdas = [0.5, 0.5] }).Plan(inputs.Options));
        Assert.ThrowsExactly<ArgumentException>(() => new ParetoSweep(new ParetoSweepOptions()).Run(inputs with { ModelIdentity = " " }, new CountingTrainer()));
    }

    [TestMethod]
    [DataRow("empty", "ParetoSweepOptions.Lambdas is empty")]
    [DataRow("range", "ParetoSweepOptions.Lambdas must lie in [0, 1]")]
    [DataRow("duplicate", "ParetoSweepOptions.Lambdas lists λ = 0.5 more than once")]
    [DataRow("split", "ParetoSweepOptions.SequentialDpoEpochs must lie in 1 … 1")]
    [DataRow("split-twice", "ParetoSweepOptions.SequentialDpoEpochs lists 1 more than once")]
    public void BadSweepOptionsFailInRunBeforeTheWorkingDirectoryIsCreated(string problem, string expected)
    {
        using var dir = new TempDirectory();
        var work = Path.Combine(dir.Path, "sweep");
        var options = Sweep(work) with { Strategies = [JointStrategy.AlRight] };
        options = problem switch
        {
            "empty" => options with { Lambdas = [] },
            "range" => options with { Lambdas = [0.5, -0.1] },
            "duplicate" => options with { Lambdas = [0.5, 0.25, 0.5] },
            "split" => options with { SequentialDpoEpochs = [2] },
            _ => options with { SequentialDpoEpochs = [1, 1] },
        };
        var trainer = new CountingTrainer();
        var log = new Log();

        var error = Assert.Throws<ArgumentException>(() => new ParetoSweep(options).Run(Base().Inputs(), trainer, log));

        StringAssert.Contains(error.Message, expected);
        Assert.IsFalse(Directory.Exists(work), "nothing is written");
        Assert.IsEmpty(trainer.Trained);
        Assert.IsEmpty(log.Events);
    }
}
