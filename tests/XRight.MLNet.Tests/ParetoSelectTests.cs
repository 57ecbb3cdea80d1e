using Microsoft.ML;
using XRight.MLNet;
using XRight.Selection;
using XRight.Training;
using static XRight.Tests.MLNet.PostTrainingFixture;

namespace XRight.Tests.MLNet;

[TestClass]
public sealed class ParetoSelectTests
{
    private sealed class Log : IProgress<ParetoProgress>
    {
        public List<ParetoProgress> Events { get; } = [];
        public void Report(ParetoProgress value) { lock (Events) Events.Add(value); }
    }

    [TestMethod]
    public void SweepEstimatesOptimaTrainsEveryCandidatePicksTheClosestToIdealAndResumes()
    {
        using var dir = new TempDirectory();
        var ml = new MLContext(seed: 1);
        var data = TextPipeline(ml).Fit(Combined(ml, instructions: 20, preferences: 12)).Transform(Combined(ml, instructions: 20, preferences: 12));
        var log = new Log();
        var options = new ParetoSelectOptions
        {
            Strategies = [JointStrategy.AlRight, JointStrategy.MemoryEfficientMaxRight],
            Lambdas = [0.5],
            WorkingDirectory = dir.Path,
        };
        var estimator = ml.PostTraining.ParetoSelect(Options(), options, log);
        using var chosen = estimator.Fit(data);
        var report = estimator.Report!;

        // ALRIGHT, MAXRIGHT k=10 and Sequential (1,1) for Epochs = 2.
        CollectionAssert.AreEquivalent(new[] { "ALRIGHT λ=0.5", "MAXRIGHT k=10 λ=0.5", "Sequential (1,1)" }, report.Candidates.Select(c => c.Candidate.Name).ToArray());
        Assert.AreEqual(IdealValueSource.Given, report.Ideal.DpoSource, "f* came from the single-objective runs");
        var optimum = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "optimum.json"))).RootElement;
        Assert.AreEqual(optimum.GetProperty("Dpo").GetDouble(), report.Ideal.FDpo, 1e-12);

        // The choice is the minimum ideal distance, recomputed here from the candidates' own numbers.
        var best = report.Candidates.MinBy(c => Math.Sqrt(Math.Pow(c.Candidate.FDpo - report.Ideal.FDpo, 2) + Math.Pow(c.Candidate.FSft - report.Ideal.FSft, 2)))!;
        Assert.AreEqual(best.Candidate.Name, report.Chosen);
        Assert.AreEqual(best.Candidate.FSft, chosen.Summary.Final.FSft, 1e-9, "the returned model is the chosen candidate");
        foreach (var file in new[] { "report.md", "report.json", "objective-space.png", "metrics.png" })
            Assert.IsTrue(File.Exists(Path.Combine(dir.Path, file)), file);
        var joint = report.Candidates.Single(c => c.Candidate.Name == "ALRIGHT λ=0.5");
        Assert.IsNotNull(joint.VersusSequential, "joint runs are compared with the Sequential run of the same epochs");
        Assert.IsFalse(log.Events.Any(e => e.Reused));

        // A second sweep in the same folder reuses every finished candidate.
        var again = new Log();
        var second = ml.PostTraining.ParetoSelect(Options(), options, again);
        using var chosenAgain = second.Fit(data);
        Assert.AreEqual(3, again.Events.Count(e => e.Reused));
        Assert.IsFalse(again.Events.Any(e => e.Step is not null), "nothing trained again");
        Assert.AreEqual(report.Chosen, second.Report!.Chosen);
    }

    [TestMethod]
    public void BadSweepsFailBeforeTraining()
    {
        var ml = new MLContext();
        Assert.Throws<ArgumentException>(() => ml.PostTraining.ParetoSelect(Options(), new ParetoSelectOptions { Lambdas = [1.5] }));
        Assert.Throws<ArgumentException>(() => ml.PostTraining.ParetoSelect(Options(), new ParetoSelectOptions { Strategies = [JointStrategy.Sequential] }));
    }
}
