using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Tests.Training;

[TestClass]
public sealed class CustomStrategyTests
{
    /// <summary>A user strategy: DPO on even steps, SFT on odd ones, nothing evaluated, no state.</summary>
    private sealed class Alternating(int totalSteps) : IJointStrategy
    {
        public List<(ObjectiveKind Objective, double Loss)> Observed { get; } = [];
        public string Name => "Alternating";
        public int TotalSteps => totalSteps;
        public EvaluationNeed Need(int step) => EvaluationNeed.None;
        public StepDecision Decide(int step, ObjectivePair? values) => step % 2 == 0 ? StepDecision.Dpo : StepDecision.Sft;
        public void Observe(ObjectiveKind objective, double batchLoss) => Observed.Add((objective, batchLoss));
        public StrategyState SaveState() => new([], []);
        public void LoadState(StrategyState state) { }
    }

    private sealed class Collect(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }

    [TestMethod]
    public void AUserStrategyDrivesTheMainRun()
    {
        var data = TinyTask.Data();
        var options = TinyTask.Options(JointStrategy.AlRight);
        StrategyContext? seen = null;
        Alternating? made = null;
        var reports = new List<TrainingProgress>();
        var result = new JointTrainer(options, context => { seen = context; return made = new Alternating(context.TotalSteps); })
            .Train(() => TinyTask.Model(), data, new Collect(reports));
        using var model = result.Model;

        // 24 SFT rows / 4 → 6 steps per epoch, 2 epochs; 16 pairs / 4 → 4 DPO steps per epoch.
        Assert.IsNotNull(seen);
        Assert.AreEqual((12, 6, 4), (seen.TotalSteps, seen.SftStepsPerEpoch, seen.DpoStepsPerEpoch));
        Assert.AreEqual(new ObjectivePair(0, 0), seen.Optimum, "f* from the options");
        Assert.AreEqual(3, seen.Options.Runtime.Seed);

        Assert.AreEqual("Alternating", result.Summary.Strategy);
        Assert.AreEqual((12, 6, 6), (result.Summary.Steps, result.Summary.DpoSteps, result.Summary.SftSteps));
        var stepped = reports.Where(r => r.Phase == "training" && r.Step > 0).OrderBy(r => r.Step).Select(r => r.Stepped).ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(0, 12).Select(i => (ObjectiveKind?)(i % 2 == 0 ? ObjectiveKind.Dpo : ObjectiveKind.Sft)).ToArray(), stepped);
        CollectionAssert.AreEqual(stepped, made!.Observed.Select(o => (ObjectiveKind?)o.Objective).ToArray(), "the loop reports each step's loss to the strategy");

        using var initial = TinyTask.Model();
        var before = new PolicyScoring(initial, options.Dpo, TinyTask.Eos).Evaluate(data.InstructionEvaluation!, [], null, 16);
        Assert.IsLessThan(before.FSft, result.Summary.Final.FSft, $"f_SFT {before.FSft} -> {result.Summary.Final.FSft}");
    }

    [TestMethod]
    public void ACheckpointOfAUserStrategyResumesOnlyWithAStrategyOfTheSameName()
    {
        var data = TinyTask.Data();
        using var dir = new TempDirectory();
        var options = TinyTask.Options(JointStrategy.AlRight) with { Checkpoints = new() { Directory = dir.Path, Interval = 4 } };
        var first = new JointTrainer(options, c => new Alternating(c.TotalSteps)).Train(() => TinyTask.Model(), data);
        first.Model.Dispose();
        var last = XRight.Training.Checkpoints.CheckpointStore.List(dir.Path)[^1];

        var resume = options with { Checkpoints = options.Checkpoints with { ResumeFrom = last } };
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => new JointTrainer(resume).Train(() => TinyTask.Model(), data));
        StringAssert.Contains(error.Message, "Strategy.Custom");
        var again = new JointTrainer(resume, c => new Alternating(c.TotalSteps)).Train(() => TinyTask.Model(), data);
        using var model = again.Model;
        Assert.AreEqual(first.Summary.Steps, again.Summary.Steps);
    }

    [TestMethod]
    public void AFactoryThatReturnsNothingFailsBeforeTraining()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(
            () => new JointTrainer(TinyTask.Options(JointStrategy.AlRight), _ => null!).Train(() => TinyTask.Model(), TinyTask.Data()));
        StringAssert.Contains(error.Message, "returned null");
    }
}
