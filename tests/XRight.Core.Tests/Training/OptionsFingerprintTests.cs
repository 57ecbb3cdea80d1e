using System.Reflection;
using XRight.Modeling.Lora;
using XRight.Training;

namespace XRight.Tests.Training;

[TestClass]
public sealed class OptionsFingerprintTests
{
    // The option records, listed here by hand so that a new record (or a property moved between them) is noticed.
    private static readonly (string Path, Type Type)[] Records =
    [
        ("Strategy", typeof(StrategyOptions)), ("Dpo", typeof(DpoLossOptions)), ("Optimizer", typeof(OptimizerOptions)),
        ("Batches", typeof(BatchOptions)), ("Evaluation", typeof(EvaluationOptions)), ("Checkpoints", typeof(CheckpointOptions)),
        ("Reference", typeof(ReferenceOptions)), ("Lora", typeof(LoraOptions)), ("Runtime", typeof(RuntimeOptions)),
        ("Logging", typeof(LoggingOptions)),
    ];

    [TestMethod]
    public void EverySettableOptionIsInTheFingerprintUnlessMarkedAsNotChangingTheResult()
    {
        var options = TinyTask.Options(JointStrategy.AlRight) with { Lora = new LoraOptions() };
        var names = OptionsFingerprint.Of(options).Split('\n').Select(l => l.Split('=')[0]).ToHashSet();
        var settable = typeof(JointTrainerOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Order().ToArray();
        CollectionAssert.AreEqual(Records.Select(r => r.Path).Order().ToArray(), settable, "every property of the options is one of the records");

        foreach (var (path, type) in Records)
            foreach (var property in type.GetProperties().Where(p => p.CanWrite))
            {
                bool exempt = property.GetCustomAttribute<NotInFingerprintAttribute>() is not null;
                Assert.AreEqual(!exempt, names.Contains($"{path}.{property.Name}"), $"{path}.{property.Name}");
            }
        Assert.AreEqual(names.Count, Records.Sum(r => r.Type.GetProperties().Count(p => p.CanWrite && p.GetCustomAttribute<NotInFingerprintAttribute>() is null)),
            "nothing else is in the fingerprint");
    }

    [TestMethod]
    public void TheFingerprintShowsValuesAndNamesWhatDiffers()
    {
        var a = TinyTask.Options(JointStrategy.AlRight);
        var b = a with { Evaluation = a.Evaluation with { Fraction = 0.25 }, Lora = new LoraOptions { Rank = 4, TargetModules = ["q_proj", "v_proj"] } };
        var fa = OptionsFingerprint.Of(a);
        var fb = OptionsFingerprint.Of(b);
        CollectionAssert.Contains(fa.Split('\n'), "Evaluation.Fraction=0.03");
        CollectionAssert.Contains(fa.Split('\n'), "Lora=none");
        CollectionAssert.Contains(fb.Split('\n'), "Lora.TargetModules=q_proj|v_proj");
        CollectionAssert.Contains(fb.Split('\n'), "Lora.Rank=4");
        var stopAt = a with { Evaluation = a.Evaluation with { StopWhenDominating = new ObjectivePair(0.5, 1.25) } };
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            CollectionAssert.Contains(OptionsFingerprint.Of(stopAt).Split('\n'), "Evaluation.StopWhenDominating=0.5|1.25", "culture-invariant");
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = culture; }
        var differences = OptionsFingerprint.Differences(fa, fb).Split('\n');
        CollectionAssert.Contains(differences, "  Evaluation.Fraction: checkpoint 0.03, now 0.25");
        CollectionAssert.Contains(differences, "  Lora.Rank: checkpoint absent, now 4");
        Assert.AreEqual(fa, OptionsFingerprint.Of(a with { Checkpoints = a.Checkpoints with { Directory = "elsewhere", Keep = 9 } }),
            "where checkpoints go does not change the fingerprint");
    }

    [TestMethod]
    public void AResumeWithAnotherHeldOutFractionIsRefusedNamingTheOption()
    {
        using var dir = new TempDirectory();
        var data = TinyTask.Data();
        var options = TinyTask.Options(JointStrategy.AlRight);
        // No explicit evaluation sets: the fraction decides which rows are held out.
        data = new JointTrainingData { Instructions = data.Instructions, Preferences = data.Preferences };
        var first = options with
        {
            Strategy = options.Strategy with { MaxSteps = 4 },
            Evaluation = options.Evaluation with { Fraction = 0.25 },
            Checkpoints = new CheckpointOptions { Directory = dir.Path, Interval = 2 },
        };
        using (new JointTrainer(first).Train(() => TinyTask.Model(), data).Model) { }
        var checkpoint = Directory.GetDirectories(dir.Path).Order().Last();

        var resumed = first with
        {
            Evaluation = first.Evaluation with { Fraction = 0.5 },
            Checkpoints = new CheckpointOptions { ResumeFrom = checkpoint },
        };
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new JointTrainer(resumed).Train(() => TinyTask.Model(), data));
        StringAssert.Contains(e.Message, "Evaluation.Fraction: checkpoint 0.25, now 0.5");
    }

    [TestMethod]
    public void AnUnsetSeedTrainsAsTheDefaultSeed()
    {
        var options = TinyTask.Options(JointStrategy.AlRight);
        var unset = options with { Runtime = options.Runtime with { Seed = null } };
        Assert.AreEqual(RuntimeOptions.DefaultSeed, unset.Runtime.EffectiveSeed);
        var data = TinyTask.Data();
        using var a = new JointTrainer(unset with { Strategy = unset.Strategy with { MaxSteps = 2 } }).Train(() => TinyTask.Model(), data).Model;
        using var b = new JointTrainer(unset with { Runtime = unset.Runtime with { Seed = 42 }, Strategy = unset.Strategy with { MaxSteps = 2 } }).Train(() => TinyTask.Model(), data).Model;
        foreach (var (name, tensor) in a.state_dict())
            CollectionAssert.AreEqual(tensor.data<float>().ToArray(), b.state_dict()[name].data<float>().ToArray(), $"{name}: an unset seed trains as seed 42");
    }
}
