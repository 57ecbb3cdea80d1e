using XRight.Modeling;
using XRight.Training;
using XRight.Training.Checkpoints;

namespace XRight.Tests.Training;

/// <summary>
/// A checkpoint continues only the run that wrote it: reused checkpoint folders and resumes with another model,
/// tokenizer or data are refused before any work, naming what differs, and nothing on disk changes.
/// </summary>
[TestClass]
public sealed class RunIdentityTests
{
    // Run A of the report: ALRIGHT, 2 epochs, a checkpoint every 2 steps, keep 3.
    private static JointTrainerOptions RunA(string directory)
    {
        var options = TinyTask.Options(JointStrategy.AlRight);
        return options with { Checkpoints = new CheckpointOptions { Directory = directory, Interval = 2, Keep = 3 } };
    }

    // The same number of rows as TinyTask's, other prompts.
    private static JointTrainingData WithOtherInstructions(JointTrainingData data)
    {
        var other = TinyTask.Data(seed: 99);
        return new JointTrainingData
        {
            Instructions = other.Instructions,
            Preferences = data.Preferences,
            InstructionEvaluation = data.InstructionEvaluation,
            PreferenceEvaluation = data.PreferenceEvaluation,
        };
    }

    private static Dictionary<string, byte[]> Snapshot(string directory)
        => Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes);

    private static void AssertUnchanged(Dictionary<string, byte[]> before, string directory)
    {
        var after = Snapshot(directory);
        CollectionAssert.AreEqual(before.Keys.ToArray(), after.Keys.ToArray(), "no file was added or removed");
        foreach (var (name, bytes) in before) CollectionAssert.AreEqual(bytes, after[name], $"{name} changed");
    }

    [TestMethod]
    public void ARunWithOtherInstructionDataDoesNotContinueAnotherRunsCheckpoints()
    {
        using var dir = new TempDirectory();
        var data = TinyTask.Data();
        using (new JointTrainer(RunA(dir.Path)).Train(() => TinyTask.Model(), data).Model) { }
        // 24 instruction rows in batches of 4 for 2 epochs: 12 steps; checkpoints at 2, 4, …, 12, the newest 3 kept.
        CollectionAssert.AreEqual(new[] { "checkpoint-0000008", "checkpoint-0000010", "checkpoint-0000012" },
            CheckpointStore.List(dir.Path).Select(Path.GetFileName).ToArray());
        var before = Snapshot(dir.Path);

        // Run B: the same options and folder, other instruction data. It must not start in A's folder…
        var other = WithOtherInstructions(data);
        int made = 0;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new JointTrainer(RunA(dir.Path)).Train(() => { made++; return TinyTask.Model(); }, other));
        StringAssert.Contains(e.Message, $"Checkpoints.Directory '{dir.Path}' holds checkpoints of another run");
        StringAssert.Contains(e.Message, "checkpoint-0000008 the instruction data");
        Assert.IsFalse(e.Message.Contains("the preference data", StringComparison.Ordinal), e.Message);
        Assert.AreEqual(1, made, "only the model whose identity is checked was made: no reference, no training");
        AssertUnchanged(before, dir.Path);

        // …nor continue A when pointed at A's newest checkpoint.
        var newest = CheckpointStore.List(dir.Path)[^1];
        var resume = RunA(dir.Path) with { Checkpoints = RunA(dir.Path).Checkpoints with { ResumeFrom = newest } };
        e = Assert.ThrowsExactly<InvalidOperationException>(() => new JointTrainer(resume).Train(() => TinyTask.Model(), other));
        StringAssert.Contains(e.Message, "the instruction data (fingerprint");
        StringAssert.Contains(e.Message, "differs from the run that wrote checkpoint-0000012");
        AssertUnchanged(before, dir.Path);

        // A's own run may start again in its folder: its identity is the same, so it trains and replaces its checkpoints.
        using var again = new JointTrainer(RunA(dir.Path)).Train(() => TinyTask.Model(), data).Model;
        // The same run, bit for bit on the CPU, writes the same weights and moments (state.json holds timings).
        var after = Snapshot(dir.Path);
        CollectionAssert.AreEqual(before.Keys.ToArray(), after.Keys.ToArray());
        foreach (var name in before.Keys.Where(n => n.EndsWith(".safetensors", StringComparison.Ordinal)))
            CollectionAssert.AreEqual(before[name], after[name], $"{name} differs");
    }

    [TestMethod]
    public void AResumeWithAnotherInputIsRefusedNamingItBeforeAnyWeightIsLoaded()
    {
        using var dir = new TempDirectory();
        var data = TinyTask.Data();
        var options = RunA(dir.Path) with { Strategy = RunA(dir.Path).Strategy with { MaxSteps = 4 } };
        using (new JointTrainer(options).Train(() => TinyTask.Model(), data).Model) { }
        var checkpoint = CheckpointStore.List(dir.Path)[^1];
        var resume = options with { Checkpoints = new CheckpointOptions { ResumeFrom = checkpoint } };
        var before = Snapshot(dir.Path);

        // Another base model of another width: refused by name, not by a libtorch shape error.
        Func<CausalLm> wider = () => CausalLm.Create(CausalLmConfig.CreateGptNeoX(vocabSize: TinyTask.Vocab, hiddenSize: 32, numLayers: 1, numHeads: 2, eosTokenId: TinyTask.Eos),
            new ModelOptions { Seed = 1 });
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new JointTrainer(resume).Train(wider, data));
        StringAssert.Contains(e.Message, "the base model (configuration and weights)");
        StringAssert.Contains(e.Message, "differs from the run that wrote checkpoint-0000004");
        // The same architecture with other initial weights.
        e = Assert.ThrowsExactly<InvalidOperationException>(() => new JointTrainer(resume).Train(() => TinyTask.Model(seed: 2), data));
        StringAssert.Contains(e.Message, "the base model");

        var cases = new (string Named, JointTrainingData Data)[]
        {
            ("the preference data", new JointTrainingData { Instructions = data.Instructions, Preferences = TinyTask.Data(seed: 99).Preferences,
                InstructionEvaluation = data.InstructionEvaluation, PreferenceEvaluation = data.PreferenceEvaluation }),
            ("the instruction evaluation data", new JointTrainingData { Instructions = data.Instructions, Preferences = data.Preferences,
                InstructionEvaluation = data.InstructionEvaluation!.Take(5).ToArray(), PreferenceEvaluation = data.PreferenceEvaluation }),
            ("the preference evaluation data", new JointTrainingData { Instructions = data.Instructions, Preferences = data.Preferences,
                InstructionEvaluation = data.InstructionEvaluation, PreferenceEvaluation = null }),
            // The same rows in another order are other data.
            ("the instruction data", new JointTrainingData { Instructions = data.Instructions.Reverse().ToArray(), Preferences = data.Preferences,
                InstructionEvaluation = data.InstructionEvaluation, PreferenceEvaluation = data.PreferenceEvaluation }),
            ("the tokenizer", new JointTrainingData { Instructions = data.Instructions, Preferences = data.Preferences,
                InstructionEvaluation = data.InstructionEvaluation, PreferenceEvaluation = data.PreferenceEvaluation, TokenizerFingerprint = "ABC" }),
        };
        foreach (var (named, changed) in cases)
        {
            e = Assert.ThrowsExactly<InvalidOperationException>(() => new JointTrainer(resume).Train(() => TinyTask.Model(), changed), named);
            StringAssert.Contains(e.Message, named + " (fingerprint", named);
            Assert.AreEqual(1, e.Message.Split(" (fingerprint").Length - 1, $"only {named} is named: {e.Message}");
        }
        AssertUnchanged(before, dir.Path);

        // The unchanged inputs resume.
        using var resumed = new JointTrainer(resume).Train(() => TinyTask.Model(), data).Model;
    }

    [TestMethod]
    public void PruningRemovesOnlyTheRunsOwnCheckpoints()
    {
        using var dir = new TempDirectory();
        var options = RunA(dir.Path) with { Strategy = RunA(dir.Path).Strategy with { MaxSteps = 4 } };
        using (new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data()).Model) { }
        var theirs = CheckpointStore.List(dir.Path);
        CollectionAssert.AreEqual(new[] { "checkpoint-0000002", "checkpoint-0000004" }, theirs.Select(Path.GetFileName).ToArray());
        var before = Snapshot(dir.Path);

        // Another run (other instruction data) saving into the same folder with Keep = 1 prunes its own older step only.
        var state = CheckpointStore.ReadState(theirs[^1]);
        var other = state with { Identity = state.Identity with { InstructionData = new string('0', 64) } };
        var trainable = XRight.Modeling.SafeTensors.SafeTensorsFile.Load(Path.Combine(theirs[^1], CheckpointStore.TrainableFile));
        var moments = XRight.Modeling.SafeTensors.SafeTensorsFile.Load(Path.Combine(theirs[^1], CheckpointStore.OptimizerFile));
        try
        {
            CheckpointStore.Save(dir.Path, other with { Step = 6 }, trainable, moments, null, keep: 1);
            CheckpointStore.Save(dir.Path, other with { Step = 8 }, trainable, moments, null, keep: 1);
        }
        finally
        {
            foreach (var t in trainable.Values.Concat(moments.Values)) t.Dispose();
        }
        CollectionAssert.AreEqual(new[] { "checkpoint-0000002", "checkpoint-0000004", "checkpoint-0000008" },
            CheckpointStore.List(dir.Path).Select(Path.GetFileName).ToArray(), "step 6 (its own) was pruned; the other run's 2 and 4 stay");
        foreach (var (name, bytes) in before) CollectionAssert.AreEqual(bytes, File.ReadAllBytes(Path.Combine(dir.Path, name)), $"{name} changed");
    }

    [TestMethod]
    public void ACheckpointOfVersion1IsRefusedAsUnverifiable()
    {
        using var dir = new TempDirectory();
        var folder = Directory.CreateDirectory(dir.File("checkpoint-0000004")).FullName;
        File.WriteAllText(Path.Combine(folder, "state.json"), """{ "Format": "xright.training-checkpoint", "Version": 1, "Step": 4 }""");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => CheckpointStore.ReadState(folder));
        StringAssert.Contains(e.Message, Path.Combine(folder, "state.json"));
        StringAssert.Contains(e.Message, "version 1");

        // Nor may a run write beside it (pruning could not tell whose it is).
        var options = RunA(dir.Path);
        var refused = Assert.ThrowsExactly<InvalidOperationException>(() => new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data()));
        StringAssert.Contains(refused.Message, "checkpoint-0000004 it cannot be read");
    }
}
