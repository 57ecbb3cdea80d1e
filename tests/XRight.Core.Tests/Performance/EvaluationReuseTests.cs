using TorchSharp;
using XRight.Modeling;
using XRight.Tests.Training;
using XRight.Training;
using XRight.Training.Reference;
using XRight.Training.Strategies;
using static TorchSharp.torch;

namespace XRight.Tests.Performance;

/// <summary>
/// When a strategy asks for both objectives without a graph, the step loop scores the costlier batch with
/// its graph and reuses that pass for the update when the decision picks it. That must be invisible: the
/// values and updates are those of a run that evaluates nothing.
/// </summary>
[TestClass]
public sealed class EvaluationReuseTests
{
    [TestMethod]
    public void EvaluatingBothObjectivesChangesNeitherTheBatchesNorTheUpdates()
    {
        var evaluating = new ScriptedStrategy(EvaluationNeed.BothWithoutGraph);
        var plain = new ScriptedStrategy(EvaluationNeed.None);
        using var evaluated = Train(evaluating);
        using var untouched = Train(plain);

        foreach (var ((name, a), b) in evaluated.named_parameters().Zip(untouched.parameters()))
            Assert.IsTrue(allclose(a, b, rtol: 0, atol: 1e-7), $"{name} differs: the evaluation changed the batches or the updates");
        CollectionAssert.AreEqual(plain.Observed.Select(o => o.Objective).ToArray(), evaluating.Observed.Select(o => o.Objective).ToArray());
        for (int step = 0; step < ScriptedStrategy.Steps; step++)
        {
            var (objective, loss) = evaluating.Observed[step];
            var seen = evaluating.Seen[step]!.Value;
            // The decision saw the loss of the very batch the update then used, before the update.
            Assert.AreEqual(loss, objective == ObjectiveKind.Dpo ? seen.Dpo : seen.Sft, 1e-6, $"step {step}");
            Assert.AreEqual(plain.Observed[step].Loss, loss, 1e-6, $"step {step}");
        }
    }

    private static CausalLm Train(ScriptedStrategy strategy)
    {
        var data = TinyTask.Data();
        var options = TinyTask.Options(JointStrategy.MemoryEfficientMaxRight);
        var model = TinyTask.Model();
        var reference = new ReferenceLogProbCache("initial");
        new PolicyScoring(model, options.Dpo, TinyTask.Eos).FillReferenceCache(reference, data.Preferences, 4);
        new TrainingRun(new TrainingRunSetup
        {
            Options = options,
            Model = model,
            Strategy = strategy,
            Phase = "test",
            PadTokenId = TinyTask.Eos,
            Instructions = data.Instructions,
            Preferences = data.Preferences,
            Reference = reference,
            EvaluateDuringRun = false,
        }).Execute(resumeFrom: null);
        return model;
    }

    /// <summary>Decides by a fixed script (DPO on every third step), asking for the given evaluation each step.</summary>
    private sealed class ScriptedStrategy(EvaluationNeed need) : IJointStrategy
    {
        public const int Steps = 9;

        public List<ObjectivePair?> Seen { get; } = [];

        public List<(ObjectiveKind Objective, double Loss)> Observed { get; } = [];

        public string Name => "scripted";

        public int TotalSteps => Steps;

        public EvaluationNeed Need(int step) => need;

        public StepDecision Decide(int step, ObjectivePair? values)
        {
            Seen.Add(values);
            return step % 3 == 1 ? StepDecision.Dpo : StepDecision.Sft;
        }

        public void Observe(ObjectiveKind objective, double batchLoss) => Observed.Add((objective, batchLoss));

        public StrategyState SaveState() => new([], []);

        public void LoadState(StrategyState state) { }
    }
}
