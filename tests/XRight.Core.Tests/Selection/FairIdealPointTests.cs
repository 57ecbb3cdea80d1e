using XRight.Selection;
using XRight.Training;

namespace XRight.Tests.Selection;

/// <summary>The ideal point never lies above an observed candidate value, and the report says when it moved; rows carry how each run ended.</summary>
[TestClass]
public sealed class FairIdealPointTests
{
    private static SelectionReport Analyze(double? dpoOptimum, double? sftOptimum) => ParetoSelection.Analyze(Sweep.EightPoints(),
        new ParetoSelectionOptions { Rule = SelectionRule.MinIdealDistance, DpoOptimum = dpoOptimum, SftOptimum = sftOptimum });

    [TestMethod]
    public void AnEstimateAboveACandidateMovesToThatCandidatesValue()
    {
        // Eight points: the smallest f_SFT is 1.50 (C first, G ties), the smallest f_DPO 0.25 (A).
        var report = Analyze(dpoOptimum: 0.0522, sftOptimum: 1.6);

        Assert.AreEqual(1.50, report.Ideal.FSft);
        Assert.AreEqual("C", report.Ideal.SftMovedToCandidate);
        Assert.AreEqual(1.6, report.Ideal.SftBeforeMove);
        Assert.AreEqual(IdealValueSource.Given, report.Ideal.SftSource, "the source stays that of the replaced value");
        Assert.AreEqual(0.0522, report.Ideal.FDpo, "an f* below every candidate stays");
        Assert.IsNull(report.Ideal.DpoMovedToCandidate);
        Assert.IsNull(report.Ideal.DpoBeforeMove);
        Assert.IsTrue(report.Ideal.MovedToObservedMinimum);
        foreach (var row in report.Candidates)
        {
            Assert.IsGreaterThanOrEqualTo(0, row.SftGap, row.Candidate.Name);
            Assert.IsGreaterThanOrEqualTo(0, row.DpoGap, row.Candidate.Name);
        }
        Assert.AreEqual(0.0, report.Candidates.Single(r => r.Candidate.Name == "C").SftGap);

        var markdown = report.ToMarkdown();
        var line = markdown.Split('\n').Single(l => l.StartsWith("- **Ideal point:**", StringComparison.Ordinal));
        StringAssert.Contains(line, "f*_SFT = 1.5000 (moved to the observed minimum: C's f_SFT, below 1.6000 (given))");
        StringAssert.Contains(line, "f*_DPO = 0.0522 (given)");
    }

    [TestMethod]
    public void BothCoordinatesMoveIndependently()
    {
        var report = Analyze(dpoOptimum: 0.30, sftOptimum: 1.6);
        Assert.AreEqual(new IdealPoint(0.25, 1.50, IdealValueSource.Given, IdealValueSource.Given)
        {
            DpoMovedToCandidate = "A", DpoBeforeMove = 0.30, SftMovedToCandidate = "C", SftBeforeMove = 1.6,
        }, report.Ideal);
        StringAssert.Contains(report.ToMarkdown(), "f*_DPO = 0.2500 (moved to the observed minimum: A's f_DPO, below 0.3000 (given))");
    }

    [TestMethod]
    public void AnEstimateBelowEveryCandidateDoesNotMove()
    {
        var report = Analyze(dpoOptimum: 0.25, sftOptimum: 1.498);
        Assert.AreEqual(new IdealPoint(0.25, 1.498, IdealValueSource.Given, IdealValueSource.Given), report.Ideal);
        Assert.IsFalse(report.Ideal.MovedToObservedMinimum);
        Assert.DoesNotContain("moved", report.ToMarkdown());
    }

    [TestMethod]
    public void AMovedIdealPointSurvivesTheJsonRoundTrip()
    {
        using var temp = new TempDirectory();
        var report = Analyze(dpoOptimum: 0.30, sftOptimum: 1.6);
        report.SaveJson(temp.File("report.json"));
        var loaded = SelectionReportFiles.LoadJson(temp.File("report.json"));
        Assert.AreEqual(report.Ideal, loaded.Ideal);
        Assert.AreEqual("A", loaded.Ideal.DpoMovedToCandidate);
    }

    [TestMethod]
    public void RowsCarryEachRunsStopReasonAndSteps()
    {
        var sweep = Sweep.EightPoints();
        sweep[1] = sweep[1] with { Run = sweep[1].Run with { StopReason = TrainingStopReason.GapReached, Steps = 37 } };
        sweep[2] = sweep[2] with { Run = sweep[2].Run with { StopReason = TrainingStopReason.DominatesTarget, Steps = 58 } };
        var report = ParetoSelection.Analyze(sweep, new ParetoSelectionOptions { Rule = SelectionRule.MinIdealDistance });

        Assert.AreEqual((TrainingStopReason.Completed, 100), (report.Candidates[0].StopReason, report.Candidates[0].Steps));
        Assert.AreEqual((TrainingStopReason.GapReached, 37), (report.Candidates[1].StopReason, report.Candidates[1].Steps));
        Assert.AreEqual((TrainingStopReason.DominatesTarget, 58), (report.Candidates[2].StopReason, report.Candidates[2].Steps));

        var lines = report.ToMarkdown().Split('\n');
        var header = lines.Single(l => l.Contains("| Candidate |", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToList();
        int stop = header.IndexOf("Stop"), steps = header.IndexOf("Steps");
        Assert.IsGreaterThan(0, stop);
        Assert.IsGreaterThan(0, steps);
        string[] Row(string name) => lines.Single(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Split('|')[2].Trim() == name).Split('|').Select(c => c.Trim()).ToArray();
        Assert.AreEqual(("completed", "100"), (Row("A")[stop], Row("A")[steps]));
        Assert.AreEqual(("gap reached", "37"), (Row("B")[stop], Row("B")[steps]));
        Assert.AreEqual(("dominates target", "58"), (Row("C")[stop], Row("C")[steps]));
        Assert.AreEqual(header.Count, Row("A").Length, "every row has a cell per column");
    }
}
