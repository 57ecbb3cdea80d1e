using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Tests.Strategies;

[TestClass]
public sealed class StrategyStateTests
{
    private const int Steps = 120;
    private const int SaveAt = 47;

    [TestMethod]
    [DataRow("ALRIGHT")]
    [DataRow("MAXRIGHT")]
    [DataRow("MAXRIGHT k=10")]
    [DataRow("Mix")]
    [DataRow("Sequential")]
    public void RestoredStrategyContinuesWithIdenticalDecisions(string name)
    {
        var uninterrupted = StrategyDriver.Drive(Create(name), 0, Steps);
        if (name == "Sequential") Assert.AreEqual(8 + 80, uninterrupted.Count, "DPO steps 0..7, then the whole SFT phase");

        var first = Create(name);
        var head = StrategyDriver.Drive(first, 0, SaveAt);
        var state = first.SaveState();
        var resumed = Create(name);
        resumed.LoadState(state);
        var tail = StrategyDriver.Drive(resumed, SaveAt, Steps);

        CollectionAssert.AreEqual(uninterrupted, head.Concat(tail).ToList(), name);
    }

    // The Sequential DPO phase stops early at step 7 (synthetic DPO loss 0.208 < 0.25), so the save at
    // step 47 falls in a phase that started early.
    private static IJointStrategy Create(string name) => name switch
    {
        "ALRIGHT" => new AlrightStrategy(0.3, Steps, seed: 5),
        "MAXRIGHT" => new MaxRightStrategy(0.5, Steps, new ObjectivePair(0.1, 0.2)),
        "MAXRIGHT k=10" => new MemoryEfficientMaxRightStrategy(0.5, Steps, new ObjectivePair(0.1, 0.2), 10),
        "Mix" => new MixStrategy(0.5, Steps),
        "Sequential" => new SequentialStrategy([new(ObjectiveKind.Dpo, 40, StopBelow: 0.25), new(ObjectiveKind.Sft, 80)]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown strategy"),
    };

    [TestMethod]
    public void AlrightRestoresTheGeneratorNotTheSeed()
    {
        var original = new AlrightStrategy(0.5, Steps, seed: 1);
        StrategyDriver.Drive(original, 0, SaveAt);
        var otherSeed = new AlrightStrategy(0.5, Steps, seed: 999);
        otherSeed.LoadState(original.SaveState());
        CollectionAssert.AreEqual(StrategyDriver.Drive(original, SaveAt, Steps), StrategyDriver.Drive(otherSeed, SaveAt, Steps));
    }

    [TestMethod]
    public void SequentialEarlyStopSurvivesARestore()
    {
        // Save right after the step whose loss fell below the threshold: the restored strategy must
        // still move to the next phase at the following step.
        var original = new SequentialStrategy([new(ObjectiveKind.Dpo, 10, StopBelow: 0.2), new(ObjectiveKind.Sft, 5)]);
        original.Decide(0, null);
        original.Observe(ObjectiveKind.Dpo, 0.1);
        var restored = new SequentialStrategy([new(ObjectiveKind.Dpo, 10, StopBelow: 0.2), new(ObjectiveKind.Sft, 5)]);
        restored.LoadState(original.SaveState());
        Assert.AreEqual(StepDecision.Sft, restored.Decide(1, null));
    }

    [TestMethod]
    public void StateOfAnotherShapeIsRejected()
    {
        var alright = new AlrightStrategy(0.5, 10, 1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => alright.LoadState(new MemoryEfficientMaxRightStrategy(0.5, 10, new(0, 0)).SaveState()));
        StringAssert.Contains(e.Message, "must have 4 generator words and 0 values; found 0 and 3");

        var sequential = new SequentialStrategy([new(ObjectiveKind.Dpo, 10)]);
        var bad = Assert.ThrowsExactly<ArgumentException>(() => sequential.LoadState(new StrategyState([], [3, 0, -1, 0])));
        StringAssert.Contains(bad.Message, "found [3, 0, -1, 0]");

        var efficient = new MemoryEfficientMaxRightStrategy(0.5, 10, new(0, 0));
        Assert.ThrowsExactly<ArgumentException>(() => efficient.LoadState(new StrategyState([], [2, 0, 0])));
    }
}
