using XRight.Training;

namespace XRight.Tests.Training;

/// <summary>f* estimates are the best value a single-objective run reaches, and an estimate a run beats does not stop it.</summary>
[TestClass]
public sealed class FairComparisonTests
{
    private static JointTrainerOptions Unknown(JointTrainerOptions o) => o with { Strategy = o.Strategy with { DpoOptimum = null, SftOptimum = null } };

    [TestMethod]
    public void AnEstimateIsTheBestHeldOutValueOfItsSingleObjectiveRun()
    {
        // A large learning rate makes the runs overshoot, so their last value is not their best.
        var options = Unknown(TinyTask.Options(JointStrategy.MaxRight));
        options = options with { Optimizer = options.Optimizer with { LearningRate = 0.3 }, Evaluation = options.Evaluation with { Interval = 2 } };
        var (optimum, dpo, sft) = new JointTrainer(options).EstimateOptimumRuns(() => TinyTask.Model(), TinyTask.Data(), null, default);

        // The same budget as the joint run (12 steps), evaluated where a joint run is: step 1, every 2 steps.
        int[] expectedSteps = [1, 2, 4, 6, 8, 10, 12];
        CollectionAssert.AreEqual(expectedSteps, dpo.Trajectory.Select(p => p.Step).ToArray());
        CollectionAssert.AreEqual(expectedSteps, sft.Trajectory.Select(p => p.Step).ToArray());
        Assert.AreEqual(TrainingStopReason.Completed, dpo.StopReason);
        Assert.AreEqual(TrainingStopReason.Completed, sft.StopReason);

        double bestDpo = double.PositiveInfinity, bestSft = double.PositiveInfinity;
        foreach (var point in dpo.Trajectory) bestDpo = Math.Min(bestDpo, point.FDpo);
        foreach (var point in sft.Trajectory) bestSft = Math.Min(bestSft, point.FSft);
        Assert.AreEqual(bestDpo, optimum.Dpo);
        Assert.AreEqual(bestSft, optimum.Sft);
        Assert.IsLessThanOrEqualTo(dpo.Final.FDpo, optimum.Dpo);
        Assert.IsLessThanOrEqualTo(sft.Final.FSft, optimum.Sft);
        Assert.IsTrue(optimum.Dpo < dpo.Final.FDpo || optimum.Sft < sft.Final.FSft,
            $"the setting must make a best value differ from the last ({optimum} vs {dpo.Final.FDpo}, {sft.Final.FSft})");
    }

    private static JointTrainingResult Train(double sftOptimum, bool isEstimate, double? stopGap = 1e-4, double learningRate = 1e-2)
    {
        var options = TinyTask.Options(JointStrategy.AlRight);
        options = options with
        {
            Strategy = options.Strategy with { SftOptimum = sftOptimum, SftOptimumIsEstimate = isEstimate },
            Optimizer = options.Optimizer with { LearningRate = learningRate },
            Evaluation = options.Evaluation with { StopGap = stopGap, Interval = 2 },
        };
        var result = new JointTrainer(options).Train(() => TinyTask.Model(), TinyTask.Data());
        result.Model.Dispose();
        return result;
    }

    [TestMethod]
    public void AnEstimateTheRunBeatsDoesNotStopIt()
    {
        // f*_SFT = 100 lies far above every f_SFT of the run (about ln 32 ≈ 3.5): a given value stops the run at
        // its first evaluation, an estimate is contradicted there and the run takes its whole budget.
        var given = Train(100, isEstimate: false);
        Assert.AreEqual((TrainingStopReason.GapReached, 1), (given.Summary.StopReason, given.Summary.Steps));

        var estimated = Train(100, isEstimate: true);
        Assert.AreEqual((TrainingStopReason.Completed, 12), (estimated.Summary.StopReason, estimated.Summary.Steps));
    }

    [TestMethod]
    public void AnEstimateStopsTheRunWhereItIsMetButNotOnceBeaten()
    {
        // A large learning rate makes f_SFT go down and up again.
        const double lr = 0.3;
        var free = Train(100, isEstimate: true, learningRate: lr);
        var trajectory = free.Summary.Trajectory;
        const double gap = 1e-4;

        // Met at the first evaluation (and not beaten before it): the run stops there.
        var first = Train(trajectory[0].FSft, isEstimate: true, learningRate: lr);
        Assert.AreEqual((TrainingStopReason.GapReached, trajectory[0].Step), (first.Summary.StopReason, first.Summary.Steps));

        // Met at a later evaluation after an earlier one beat it: the estimate is contradicted and stops nothing.
        int later = Enumerable.Range(1, trajectory.Count - 1).First(j =>
            Enumerable.Range(0, j).Any(i => trajectory[i].FSft < trajectory[j].FSft - gap)
            && Enumerable.Range(0, j).All(i => Math.Abs(trajectory[i].FSft - trajectory[j].FSft) > gap));
        var contradicted = Train(trajectory[later].FSft, isEstimate: true, learningRate: lr);
        Assert.AreEqual((TrainingStopReason.Completed, 12), (contradicted.Summary.StopReason, contradicted.Summary.Steps));
        // The same value given (not an estimate) stops the run at the first evaluation at or below it.
        var givenStop = Train(trajectory[later].FSft, isEstimate: false, learningRate: lr);
        Assert.AreEqual(TrainingStopReason.GapReached, givenStop.Summary.StopReason);
        Assert.IsLessThanOrEqualTo(trajectory[later].Step, givenStop.Summary.Steps);
    }

    [TestMethod]
    public void ANullStopGapTurnsTheRuleOff()
    {
        var off = Train(100, isEstimate: false, stopGap: null);
        Assert.AreEqual((TrainingStopReason.Completed, 12), (off.Summary.StopReason, off.Summary.Steps));
    }
}
