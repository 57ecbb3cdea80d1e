using XRight.Toy;
using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Tests.Toy;

[TestClass]
public sealed class Figure2ToyTests
{
    [TestMethod]
    public void ReferenceIsSftOnTheChosenOutput()
    {
        // 1000 steps of θ ← θ − 0.01(∇(−log π(y_w|x1)) + 0.001θ) from [5, −9.9], computed by a separate
        // plain script: θ_ref = [8.052874999262462, −6.698866786008117], −log π_ref(y_w|x1) = 0.41087513990453.
        var problem = PaperToys.Figure2(beta: 1);
        Assert.AreEqual(8.052874999262462, problem.ReferenceTheta[0], 1e-9);
        Assert.AreEqual(-6.698866786008117, problem.ReferenceTheta[1], 1e-9);
        var x1 = problem.Preferences[0].Prompt;
        Assert.AreEqual(0.41087513990453, -x1.LogProbability(problem.ReferenceTheta, 1), 1e-10);
        Assert.AreEqual(Math.Log(2), problem.Dpo(problem.ReferenceTheta), 1e-12);   // f_DPO(θ_ref) = ln 2
    }

    [TestMethod]
    [DataRow(1.0)]
    [DataRow(0.1)]
    public void IdealPointIsTheOriginBecauseBothDataSetsAreSeparable(double beta)
    {
        var ideal = PaperToys.Figure2(beta).EstimateIdealPoint(PaperToys.Figure2Start);
        Assert.AreEqual(0, ideal.Dpo, 1e-9);
        Assert.AreEqual(0, ideal.Sft, 1e-9);
    }

    [TestMethod]
    [DataRow(1.0, 5424)]      // f_DPO falls below 0.05 at step 5424
    [DataRow(0.1, 10_000)]    // f_DPO stays above 0.05: the phase runs its 10,000 steps
    public void SequentialEndsFartherFromTheIdealPointThanAlrightAndMaxRight(double beta, int dpoSteps)
    {
        var problem = PaperToys.Figure2(beta);
        var ideal = problem.EstimateIdealPoint(PaperToys.Figure2Start);
        var runs = Figure2Runs(problem, ideal);

        var sequential = runs["Sequential"];
        Assert.AreEqual(dpoSteps, sequential.StepsOn(ObjectiveKind.Dpo));
        Assert.AreEqual(1, sequential.StepsOn(ObjectiveKind.Sft), "f_SFT is already below 0.05 after the DPO phase");

        double seq = sequential.Final.IdealDistance(ideal);
        double alright = runs["ALRIGHT"].Final.IdealDistance(ideal);
        double maxright = runs["MAXRIGHT"].Final.IdealDistance(ideal);
        Assert.IsTrue(seq > alright, $"β = {beta}: Sequential {seq} vs ALRIGHT {alright}");
        Assert.IsTrue(seq > maxright, $"β = {beta}: Sequential {seq} vs MAXRIGHT {maxright}");
        Assert.AreEqual(PaperToys.Figure2JointSteps, runs["ALRIGHT"].Final.Step);
    }

    [TestMethod]
    public void WithTheOtherSftTargetSequentialEndsAtAnExtreme()
    {
        // Demonstrating y′ instead of y makes the objectives conflict: the SFT phase undoes DPO.
        var problem = PaperToys.Figure2(beta: 1, sftTarget: 1);
        var ideal = problem.EstimateIdealPoint(PaperToys.Figure2Start);
        var runs = Figure2Runs(problem, ideal);
        Assert.IsTrue(runs["Sequential"].Final.FDpo > 4, "DPO is forgotten");
        Assert.IsTrue(runs["Sequential"].Final.IdealDistance(ideal) > 10 * runs["ALRIGHT"].Final.IdealDistance(ideal));
        Assert.IsTrue(runs["Sequential"].Final.IdealDistance(ideal) > 10 * runs["MAXRIGHT"].Final.IdealDistance(ideal));
    }

    [TestMethod]
    public void MemoryEfficientMaxRightWithIntervalOneRetracesFullMaxRight()
    {
        var problem = PaperToys.Figure2(beta: 1, sftTarget: 1);
        var ideal = problem.EstimateIdealPoint(PaperToys.Figure2Start);
        var full = ToyRunner.Run(problem, new MaxRightStrategy(0.5, 3000, ideal), PaperToys.Figure2Start, PaperToys.Figure2Optimizer);
        var efficient = ToyRunner.Run(problem, new MemoryEfficientMaxRightStrategy(0.5, 3000, ideal, evaluationInterval: 1), PaperToys.Figure2Start, PaperToys.Figure2Optimizer);
        CollectionAssert.AreEqual(full.Points.Select(p => p.Stepped).ToList(), efficient.Points.Select(p => p.Stepped).ToList());
        CollectionAssert.AreEqual(full.Final.Theta.ToArray(), efficient.Final.Theta.ToArray());
        Assert.IsTrue(full.StepsOn(ObjectiveKind.Dpo) > 100 && full.StepsOn(ObjectiveKind.Sft) > 100, "both objectives are chosen");
    }

    [TestMethod]
    public void MixStepsUpdateBothObjectives()
    {
        var problem = PaperToys.Figure2(beta: 1);
        var run = ToyRunner.Run(problem, new MixStrategy(0.5, 10), PaperToys.Figure2Start, PaperToys.Figure2Optimizer);
        Assert.AreEqual(11, run.Points.Count);
        Assert.IsTrue(run.Points.All(p => p.Stepped is null));

        // One step by hand: θ1 = θ0 − 0.01(0.5∇f_DPO + 0.5∇f_SFT + 0.001θ0).
        var theta0 = PaperToys.Figure2Start;
        var g = problem.DpoGradient(theta0).Zip(problem.SftGradient(theta0), (d, s) => 0.5 * d + 0.5 * s).ToArray();
        for (int i = 0; i < 2; i++)
            Assert.AreEqual(theta0[i] - 0.01 * (g[i] + 0.001 * theta0[i]), run.Points[1].Theta[i], 1e-15);
    }

    [TestMethod]
    public void RunnerRejectsAStartOfTheWrongSize()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ToyRunner.Run(PaperToys.LowerBound(), new MixStrategy(0.5, 1), [0.0, 0.0], new ToyOptimizerOptions()));
        StringAssert.Contains(e.Message, "must have 1 finite entries; found [0, 0]");
        var lr = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ToyOptimizerOptions { LearningRate = 0 }.Validate());
        Assert.AreEqual("LearningRate", lr.ParamName);
        var wd = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ToyOptimizerOptions { WeightDecay = -1 }.Validate());
        Assert.AreEqual("WeightDecay", wd.ParamName);
    }

    private static Dictionary<string, ToyRun> Figure2Runs(ToyProblem problem, ObjectivePair ideal)
    {
        IJointStrategy[] strategies =
        [
            new SequentialStrategy([
                new(ObjectiveKind.Dpo, PaperToys.Figure2SequentialStepsPerObjective, PaperToys.Figure2StopBelow),
                new(ObjectiveKind.Sft, PaperToys.Figure2SequentialStepsPerObjective, PaperToys.Figure2StopBelow)]),
            new AlrightStrategy(PaperToys.Figure2Lambda, PaperToys.Figure2JointSteps, seed: 7),
            new MaxRightStrategy(PaperToys.Figure2Lambda, PaperToys.Figure2JointSteps, ideal),
        ];
        return strategies.ToDictionary(
            s => s.Name.Split('(')[0],
            s => ToyRunner.Run(problem, s, PaperToys.Figure2Start, PaperToys.Figure2Optimizer));
    }
}
