using XRight.Modeling;
using XRight.Modeling.Lora;
using XRight.Training;
using XRight.Training.Reference;
using static TorchSharp.torch;

namespace XRight.Tests.Training;

[TestClass]
public sealed class ReferenceTests
{
    private sealed class Phases : IProgress<TrainingProgress>
    {
        public HashSet<string> Seen { get; } = [];
        public void Report(TrainingProgress value) => Seen.Add(value.Phase);
    }

    private static double[] ChosenLogProbs(CausalLm model, IReadOnlyList<TokenizedPreference> rows)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var (chosen, _) = new PolicyScoring(model, new DpoLossOptions(), TinyTask.Eos).PairLogProbs(rows);
        return chosen.to(ScalarType.Float64).data<double>().ToArray();
    }

    [TestMethod]
    public void TrainedOnChosenReferenceIsKeptAsAnAdapterAndReusedFromItsCacheFile()
    {
        using var dir = new TempDirectory();
        var data = TinyTask.Data();
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Lora = new LoraOptions { Rank = 4, Alpha = 8 },
            Strategy = options.Strategy with { Epochs = 1 },
            Reference = new ReferenceOptions
            {
                Kind = ReferenceModelKind.TrainedOnChosen, TrainingEpochs = 3,
                CacheFile = dir.File("reference.cache"), ModelFolder = Path.Combine(dir.Path, "reference"),
            },
        };

        var first = new Phases();
        using (new JointTrainer(options).Train(() => TinyTask.Model(), data, first).Model) { }
        Assert.IsTrue(first.Seen.Contains("reference"), "the first run trains the reference");
        var kept = KeptReference.Read(options.Reference.ModelFolder)!;
        Assert.AreEqual(ReferenceModelForm.Adapter, kept.Form);
        StringAssert.StartsWith(kept.Fingerprint, "chosen-sft/");

        // The kept adapter over the base reproduces the cached log-probs, and they beat the untrained model's.
        using var policy = TinyTask.Model();
        using var reference = kept.Load(options.Reference.ModelFolder, policy, () => TinyTask.Model())!;
        var cache = ReferenceLogProbCache.LoadOrEmpty(options.Reference.CacheFile, kept.Fingerprint);
        var rows = data.PreferenceEvaluation!;
        var fromModel = ChosenLogProbs(reference, rows);
        var untrained = ChosenLogProbs(policy, rows);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(cache.Get(rows[i]).Chosen, fromModel[i], 1e-4, $"row {i}");
            Assert.IsGreaterThan(untrained[i], fromModel[i], "SFT on the chosen responses makes them likelier");
        }

        var second = new Phases();
        var otherRun = options with { Strategy = options.Strategy with { Kind = JointStrategy.MemoryEfficientMaxRight, Lambda = 0.25 } };
        using (new JointTrainer(otherRun).Train(() => TinyTask.Model(), data, second).Model) { }
        Assert.IsFalse(second.Seen.Contains("reference"), "another strategy and λ reuse the cache and the kept model");
    }

    [TestMethod]
    public void ACachedReferenceOfAnotherModelOrTokenizationIsNotReused()
    {
        using var dir = new TempDirectory();
        var rows = TinyTask.Data().Preferences;
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with { Reference = new ReferenceOptions { Kind = ReferenceModelKind.InitialModel, CacheFile = dir.File("ref.cache") } };
        var cache = ReferenceBuilder.Build(options, () => TinyTask.Model(seed: 1), rows, rows, TinyTask.Eos, CPU, null, default);
        Assert.AreEqual(rows.Count, cache.Count);

        var retokenized = rows.Select((r, i) => i == 0 ? r with { Chosen = [.. r.Chosen[..^1], 7, TinyTask.Eos] } : r).ToArray();
        Assert.AreEqual(1, ReferenceLogProbCache.LoadOrEmpty(options.Reference.CacheFile, cache.Fingerprint).Missing(retokenized).Count, "only the re-tokenized row is missing");

        var other = ReferenceBuilder.Build(options, () => TinyTask.Model(seed: 2), rows, rows, TinyTask.Eos, CPU, null, default);
        Assert.AreNotEqual(cache.Fingerprint, other.Fingerprint);
        Assert.AreEqual(0, ReferenceLogProbCache.LoadOrEmpty(options.Reference.CacheFile, cache.Fingerprint).Count, "the file now belongs to the other reference");
    }

    [TestMethod]
    public void InitialModelWithLoraIsThePolicyWithoutAdapters()
    {
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Lora = new LoraOptions { Rank = 2, Alpha = 2 },
            Reference = new ReferenceOptions { Kind = ReferenceModelKind.InitialModel, ModelFolder = dir.Path },
        };
        using (new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data()).Model) { }
        Assert.AreEqual(ReferenceModelForm.PolicyWithoutAdapters, KeptReference.Read(dir.Path)!.Form);
    }

    [TestMethod]
    public void FolderReferenceScoresWithThatModel()
    {
        using var dir = new TempDirectory();
        var rows = TinyTask.Data().Preferences;
        using (var saved = TinyTask.Model(seed: 9)) saved.SavePretrained(dir.Path);
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Reference = new ReferenceOptions { Kind = ReferenceModelKind.Folder, Folder = dir.Path },
            Runtime = options.Runtime with { Device = "cpu" },
        };
        var cache = ReferenceBuilder.Build(options, () => TinyTask.Model(seed: 1), rows, rows, TinyTask.Eos, CPU, null, default);
        using var direct = TinyTask.Model(seed: 9);
        var expected = ChosenLogProbs(direct, rows);
        for (int i = 0; i < rows.Count; i++) Assert.AreEqual(expected[i], cache.Get(rows[i]).Chosen, 1e-5);
    }

    [TestMethod]
    public void SftStageReferenceIsThePolicyWhenDpoStarts()
    {
        var options = TinyTask.Options(JointStrategy.Sequential);
        options = options with
        {
            Reference = new ReferenceOptions { Kind = ReferenceModelKind.SftStageModel },
            Strategy = options.Strategy with { SequentialOrder = SequentialOrder.SftThenDpo },
            Evaluation = options.Evaluation with { Interval = 2 },
        };
        var result = new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data());
        using var model = result.Model;
        // 6 SFT steps, then 4 DPO steps: f_DPO is undefined before the reference exists.
        var early = result.Summary.Trajectory.Where(p => p.Step <= 6).ToArray();
        Assert.IsTrue(early.All(p => double.IsNaN(p.FDpo)), "no f_DPO during the SFT stage");
        Assert.IsTrue(result.Summary.Trajectory.Where(p => p.Step > 6).All(p => double.IsFinite(p.FDpo)));
        StringAssert.StartsWith(result.Summary.ReferenceFingerprint, "sft-stage/");
        Assert.IsLessThan(Math.Log(2), result.Summary.Final.FDpo, "DPO steps improved on the SFT-stage reference");
    }
}
