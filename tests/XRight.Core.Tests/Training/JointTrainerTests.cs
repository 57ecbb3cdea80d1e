using TorchSharp;
using XRight.Training;
using static TorchSharp.torch;

namespace XRight.Tests.Training;

[TestClass]
public sealed class JointTrainerTests
{
    [TestMethod]
    [DataRow(JointStrategy.Sequential)]
    [DataRow(JointStrategy.Mix)]
    [DataRow(JointStrategy.AlRight)]
    [DataRow(JointStrategy.MaxRight)]
    [DataRow(JointStrategy.MemoryEfficientMaxRight)]
    public void EveryStrategyTrainsAndRecordsItsTrajectory(JointStrategy strategy)
    {
        var data = TinyTask.Data();
        var options = TinyTask.Options(strategy);
        var result = new JointTrainer(options).Train(() => TinyTask.Model(), data);
        using var model = result.Model;

        // 24 SFT rows / 4 = 6 batches per epoch; joint strategies: 2 epochs = 12 steps; Sequential: 1 DPO epoch (16 / 4) + 1 SFT epoch (6).
        int expected = strategy == JointStrategy.Sequential ? 4 + 6 : 12;
        Assert.AreEqual(expected, result.Summary.Steps);
        Assert.AreEqual(TrainingStopReason.Completed, result.Summary.StopReason);
        CollectionAssert.AreEqual(strategy == JointStrategy.Sequential ? new[] { 1, 4, 8, 10 } : new[] { 1, 4, 8, 12 },
            result.Summary.Trajectory.Select(p => p.Step).ToArray(), "evaluated after step 1, every 4 steps and at the end");
        if (strategy == JointStrategy.Mix) Assert.AreEqual((12, 12), (result.Summary.DpoSteps, result.Summary.SftSteps));
        else Assert.AreEqual(result.Summary.Steps, result.Summary.DpoSteps + result.Summary.SftSteps);

        using var initial = TinyTask.Model();
        var before = new PolicyScoring(initial, options.Dpo, TinyTask.Eos).Evaluate(data.InstructionEvaluation!, [], null, 16);
        Assert.IsLessThan(before.FSft, result.Summary.Final.FSft, $"f_SFT {before.FSft} -> {result.Summary.Final.FSft}");
        Assert.IsTrue(double.IsFinite(result.Summary.Final.FDpo));
    }

    [TestMethod]
    public void DpoAgainstTheInitialModelStartsAtLn2()
    {
        var data = TinyTask.Data();
        var options = TinyTask.Options(JointStrategy.AlRight);
        using var model = TinyTask.Model();
        var reference = new XRight.Training.Reference.ReferenceLogProbCache("test");
        var scoring = new PolicyScoring(model, options.Dpo, TinyTask.Eos);
        scoring.FillReferenceCache(reference, data.PreferenceEvaluation!, 4);
        var metrics = scoring.Evaluate([], data.PreferenceEvaluation!, reference, 4);
        Assert.AreEqual(Math.Log(2), metrics.FDpo, 1e-6);
        Assert.AreEqual(0, metrics.RewardMargin, 1e-6);
    }

    [TestMethod]
    public void ProgressCarriesTheStepsTrlMetrics()
    {
        // One Mix step over the whole data set (every row in one SFT batch, every pair in one DPO batch), so the
        // step's metrics are those of the initial model on all rows. With the initial model as reference, every
        // implicit reward is 0: DPO loss ln 2, margins 0 and no pair strictly preferred.
        var data = TinyTask.Data();
        var options = TinyTask.Options(JointStrategy.Mix);
        options = options with
        {
            Batches = options.Batches with { SftBatchSize = data.Instructions.Count, DpoBatchSize = data.Preferences.Count },
            Strategy = options.Strategy with { Epochs = 1 },
        };
        var reports = new List<TrainingProgress>();
        var result = new JointTrainer(options).Train(() => TinyTask.Model(), data, new Collect(reports));
        using var trained = result.Model;

        var step = reports.Single(r => r.Phase == "training" && r.Step == 1);
        using var initial = TinyTask.Model();
        var scoring = new PolicyScoring(initial, options.Dpo, TinyTask.Eos);
        var expected = scoring.Evaluate(data.Instructions, [], null, 64);
        double chosenLogps, rejectedLogps;
        using (no_grad())
        {
            var (chosen, rejected) = scoring.PairLogProbs(data.Preferences);
            (chosenLogps, rejectedLogps) = (chosen.mean().item<float>(), rejected.mean().item<float>());
        }

        Assert.IsNotNull(step.Sft);
        Assert.AreEqual(expected.FSft, step.Sft.Loss, 1e-5);
        Assert.AreEqual(expected.SftTokenAccuracy, step.Sft.MeanTokenAccuracy, 1e-9);
        Assert.IsNotNull(step.Dpo);
        Assert.AreEqual(Math.Log(2), step.Dpo.Loss, 1e-5);
        Assert.AreEqual(0, step.Dpo.RewardsChosen, 1e-5);
        Assert.AreEqual(0, step.Dpo.RewardsRejected, 1e-5);
        Assert.AreEqual(0, step.Dpo.RewardsMargins, 1e-5);
        Assert.IsLessThan(0.2, step.Dpo.RewardsAccuracies, "only rounding noise can make a reward strictly larger");
        Assert.AreEqual(chosenLogps, step.Dpo.LogpsChosen, 1e-4);
        Assert.AreEqual(rejectedLogps, step.Dpo.LogpsRejected, 1e-4);
        Assert.AreEqual(step.Sft.Loss, step.SftLoss);
        Assert.AreEqual(step.Dpo.Loss, step.DpoLoss);
        Assert.IsGreaterThan(0, step.GradientNorm);
        Assert.AreEqual(options.Optimizer.LearningRate, step.LearningRate, 1e-12);

        var logged = step.ToDictionary();
        Assert.AreEqual(step.Dpo.RewardsMargins, logged["dpo/rewards/margins"]);
        Assert.AreEqual(step.Sft.MeanTokenAccuracy, logged["sft/mean_token_accuracy"]);
        Assert.AreEqual(step.GradientNorm, logged["grad_norm"]);
    }

    [TestMethod]
    public void AStepThatUpdatesOneObjectiveLeavesTheOthersMetricsAsTheyWere()
    {
        var data = TinyTask.Data();
        var options = TinyTask.Options(JointStrategy.AlRight);
        var reports = new List<TrainingProgress>();
        using var model = new JointTrainer(options).Train(() => TinyTask.Model(), data, new Collect(reports)).Model;

        var training = reports.Where(r => r.Phase == "training" && r.Stepped is not null).ToArray();
        Assert.IsTrue(training.Any(r => r.Stepped == ObjectiveKind.Dpo) && training.Any(r => r.Stepped == ObjectiveKind.Sft));
        for (int i = 1; i < training.Length; i++)
        {
            var (before, now) = (training[i - 1], training[i]);
            if (now.Stepped == ObjectiveKind.Dpo) Assert.AreSame(before.Sft, now.Sft, $"step {now.Step}");
            else Assert.AreSame(before.Dpo, now.Dpo, $"step {now.Step}");
        }
        var firstDpo = training.First(r => r.Stepped == ObjectiveKind.Dpo);
        Assert.IsNotNull(firstDpo.Dpo);
        Assert.AreEqual(firstDpo.Dpo.RewardsChosen - firstDpo.Dpo.RewardsRejected, firstDpo.Dpo.RewardsMargins, 1e-6);
    }

    private sealed class Collect(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }

    [TestMethod]
    public void ResumingFromACheckpointGivesTheSameWeightsAsAnUninterruptedRun()
    {
        var data = TinyTask.Data();
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.MemoryEfficientMaxRight);
        options = options with
        {
            Lora = new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.1 },
            Strategy = options.Strategy with { MaxRightEvaluationInterval = 3 },
        };

        var straight = new JointTrainer(options).Train(() => TinyTask.Model(), data);
        using var straightModel = straight.Model;

        var interrupted = options with
        {
            Checkpoints = options.Checkpoints with { Directory = dir.Path, Interval = 3 },
            Strategy = options.Strategy with { MaxSteps = null },
        };
        using var cancel = new CancellationTokenSource();
        var stopAfter7 = new Progress7(cancel);
        Assert.ThrowsExactly<OperationCanceledException>(() => new JointTrainer(interrupted).Train(() => TinyTask.Model(), data, stopAfter7, cancel.Token));
        var checkpoints = Directory.GetDirectories(dir.Path).Order().ToArray();
        Assert.AreEqual("checkpoint-0000006", Path.GetFileName(checkpoints[^1]));

        var resumed = options with { Checkpoints = options.Checkpoints with { ResumeFrom = checkpoints[^1] } };
        var result = new JointTrainer(resumed).Train(() => TinyTask.Model(), data);
        using var resumedModel = result.Model;

        Assert.AreEqual(straight.Summary.Steps, result.Summary.Steps);
        Assert.AreEqual((straight.Summary.DpoSteps, straight.Summary.SftSteps), (result.Summary.DpoSteps, result.Summary.SftSteps));
        var a = straightModel.state_dict();
        var b = resumedModel.state_dict();
        foreach (var (name, tensor) in a)
            CollectionAssert.AreEqual(tensor.data<float>().ToArray(), b[name].data<float>().ToArray(), $"{name} differs");
        CollectionAssert.AreEqual(straight.Summary.Trajectory.Select(p => (p.Step, p.FDpo, p.FSft)).ToArray(),
            result.Summary.Trajectory.Select(p => (p.Step, p.FDpo, p.FSft)).ToArray());
    }

    [TestMethod]
    public void HalfWrittenCheckpointFoldersAreRemovedOnResumeAndAtTheEnd()
    {
        var data = TinyTask.Data();
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        var interrupted = options with { Checkpoints = options.Checkpoints with { Directory = dir.Path, Interval = 3 } };
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsExactly<OperationCanceledException>(() => new JointTrainer(interrupted).Train(() => TinyTask.Model(), data, new Progress7(cancel), cancel.Token));
        var last = Directory.GetDirectories(dir.Path, "checkpoint-*").Order().Last();
        var lastBytes = Directory.GetFiles(last).Order().Select(File.ReadAllBytes).ToArray();

        // What a kill during a save leaves, and lookalikes that are not the run's own.
        string Abandoned(int step) => Path.Combine(dir.Path, $".checkpoint-{step:D7}.{Guid.NewGuid():N}.tmp");
        var killed = Directory.CreateDirectory(Abandoned(9)).FullName;
        File.WriteAllBytes(Path.Combine(killed, "trainable.safetensors"), [1, 2, 3]);
        var other = Directory.CreateDirectory(Path.Combine(dir.Path, ".checkpoint-notes.tmp")).FullName;
        var file = Path.Combine(dir.Path, "notes.txt");
        File.WriteAllText(file, "mine");

        // Resuming alone (the run is then stopped at once) removes them.
        using var stopAtOnce = new CancellationTokenSource();
        stopAtOnce.Cancel();
        var resumed = interrupted with { Checkpoints = interrupted.Checkpoints with { ResumeFrom = last } };
        Assert.ThrowsExactly<OperationCanceledException>(() => new JointTrainer(resumed).Train(() => TinyTask.Model(), data, null, stopAtOnce.Token));
        Assert.IsFalse(Directory.Exists(killed), "the half-written checkpoint is removed on resume");
        Assert.IsTrue(Directory.Exists(other), "a folder of another name is left alone");
        Assert.AreEqual("mine", File.ReadAllText(file));
        CollectionAssert.AreEqual(lastBytes.SelectMany(b => b).ToArray(), Directory.GetFiles(last).Order().Select(File.ReadAllBytes).SelectMany(b => b).ToArray(), "the good checkpoint is unchanged");

        // A run that ends in the directory removes them too.
        var again = Directory.CreateDirectory(Abandoned(12)).FullName;
        using var result = new JointTrainer(resumed).Train(() => TinyTask.Model(), data).Model;
        Assert.IsFalse(Directory.Exists(again), "the half-written checkpoint is removed when the run ends");
        Assert.IsTrue(Directory.Exists(other));
        Assert.IsEmpty(Directory.GetDirectories(dir.Path, ".checkpoint-*.*.tmp").Where(d => d != other).ToArray());
    }

    private sealed class Progress7(CancellationTokenSource cancel) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Phase == "training" && value.Step == 7) cancel.Cancel();
        }
    }

    [TestMethod]
    [DataRow("Strategy.Lambda", 1.5)]
    [DataRow("Optimizer.LearningRate", 0.0)]
    [DataRow("Dpo.Beta", -0.1)]
    [DataRow("Strategy.MaxRightEvaluationInterval", 0.0)]
    [DataRow("Logging.CompletionSamples", -1.0)]
    public void BadOptionsFailBeforeAnyWork(string option, double value)
    {
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = option switch
        {
            "Strategy.Lambda" => options with { Strategy = options.Strategy with { Lambda = value } },
            "Optimizer.LearningRate" => options with { Optimizer = options.Optimizer with { LearningRate = value } },
            "Dpo.Beta" => options with { Dpo = options.Dpo with { Beta = value } },
            "Logging.CompletionSamples" => options with { Logging = options.Logging with { CompletionSamples = (int)value } },
            _ => options with { Strategy = options.Strategy with { MaxRightEvaluationInterval = (int)value } },
        };
        int created = 0;
        var e = Assert.Throws<ArgumentException>(() => new JointTrainer(options).Train(() => { created++; return TinyTask.Model(); }, TinyTask.Data()));
        StringAssert.Contains(e.Message, option);
        Assert.AreEqual(0, created, "no model was made");
    }

    [TestMethod]
    public void AStrategyWithoutItsDataFailsBeforeAnyWork()
    {
        var data = new JointTrainingData { Instructions = TinyTask.Data().Instructions };
        var e = Assert.ThrowsExactly<ArgumentException>(() => new JointTrainer(TinyTask.Options(JointStrategy.AlRight)).Train(() => TinyTask.Model(), data));
        StringAssert.Contains(e.Message, "Preferences is empty");
    }

    [TestMethod]
    public void ADivergingRunStopsWithTheStepAndKeepsTheLastCheckpoint()
    {
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Optimizer = options.Optimizer with { LearningRate = 1e30, MaxGradNorm = 0 },
            Checkpoints = options.Checkpoints with { Directory = dir.Path, Interval = 1 },
        };
        var e = Assert.ThrowsExactly<TrainingDivergedException>(() => new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data()));
        StringAssert.Contains(e.Message, $"step {e.Step}");
        Assert.IsGreaterThan(1, e.Step);
        var last = Directory.GetDirectories(dir.Path).Order().Last();
        Assert.AreEqual($"checkpoint-{e.Step - 1:D7}", Path.GetFileName(last), "the last good step's checkpoint is there and intact");
        Assert.AreEqual(e.Step - 1, XRight.Training.Checkpoints.CheckpointStore.ReadState(last).Step);
    }
}
