using System.Text.Json.Nodes;
using XRight.Selection;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class SelectionReportTests
{
    /// <summary>A sweep with every optional field in use: trajectories, utilization, model paths, Sequential pairs.</summary>
    private static SelectionReport FullReport() => ParetoSelection.Analyze(
    [
        Sweep.Sequential("Seq(3,3)", 3, 3, 0.60, 1.70, runtime: 100, utilization: 50).WithTrajectory(0.69, 2.4, 4),
        Sweep.Joint("ALRIGHT 0.5", 0.5, 0.40, 1.75, runtime: 104, utilization: 52),
        Sweep.Joint("MAXRIGHT 0.5", 0.5, 0.30, 1.72, strategy: "MAXRIGHT", runtime: 110).WithTrajectory(0.69, 2.4, 5) with { ModelPath = "models/maxright-0.5" },
        Sweep.Joint("Mix 0.5", 0.5, 0.45, 1.80, strategy: "Mix", runtime: 160, memory: 1_500_000_000),
    ],
    new ParetoSelectionOptions { Rule = SelectionRule.MinMixGap(0.5), SftOptimum = 1.498 });

    [TestMethod]
    public void JsonRoundTripKeepsEveryValue()
    {
        using var temp = new TempDirectory();
        var original = FullReport();
        original.SaveJson(temp.File("report.json"));
        var loaded = SelectionReportFiles.LoadJson(temp.File("report.json"));

        Assert.AreEqual(original.Ideal, loaded.Ideal);
        Assert.AreEqual(original.Rule, loaded.Rule);
        Assert.AreEqual(original.SequentialMatching, loaded.SequentialMatching);
        Assert.AreEqual(original.Chosen, loaded.Chosen);
        Assert.HasCount(original.Candidates.Count, loaded.Candidates);
        for (var i = 0; i < original.Candidates.Count; i++)
        {
            var (a, b) = (original.Candidates[i], loaded.Candidates[i]);
            // Records compare lists by reference, so the trajectory is compared element-wise and the rest by value.
            CollectionAssert.AreEqual(a.Candidate.Trajectory.ToArray(), b.Candidate.Trajectory.ToArray());
            Assert.AreEqual(a.Candidate with { Run = a.Candidate.Run with { Trajectory = null! } }, b.Candidate with { Run = b.Candidate.Run with { Trajectory = null! } });
            Assert.AreEqual(a with { Candidate = null! }, b with { Candidate = null! });
        }
    }

    [TestMethod]
    public void JsonIsVersionedAndReadable()
    {
        using var temp = new TempDirectory();
        FullReport().SaveJson(temp.File("report.json"));
        var json = JsonNode.Parse(File.ReadAllText(temp.File("report.json")))!;
        Assert.AreEqual("xright.selection-report", json["format"]!.GetValue<string>());
        Assert.AreEqual(2, json["version"]!.GetValue<int>());
        Assert.AreEqual(0.30, json["report"]!["candidates"]![2]!["candidate"]!["run"]!["final"]!["fDpo"]!.GetValue<double>(), "the run summary is kept under \"run\"");
        Assert.AreEqual("CandidateMinimum", json["report"]!["ideal"]!["dpoSource"]!.GetValue<string>());
        Assert.AreEqual("Given", json["report"]!["ideal"]!["sftSource"]!.GetValue<string>());
        Assert.AreEqual("MAXRIGHT 0.5", json["report"]!["chosen"]!.GetValue<string>());
        CollectionAssert.AreEquivalent(new[] { "report.json" }, Directory.GetFiles(temp.Path).Select(Path.GetFileName).ToArray(), "no temporary file is left");
    }

    [TestMethod]
    public void SavingOverwritesAnExistingFile()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("report.json"), "old");
        FullReport().SaveJson(temp.File("report.json"));
        Assert.AreEqual("MAXRIGHT 0.5", SelectionReportFiles.LoadJson(temp.File("report.json")).Chosen);
    }

    [TestMethod]
    public void LoadingRejectsFilesThatAreNotReports()
    {
        using var temp = new TempDirectory();
        FullReport().SaveJson(temp.File("good.json"));
        var good = File.ReadAllText(temp.File("good.json"));
        (string Name, string Text, string Fragment)[] cases =
        [
            ("truncated.json", good[..(good.Length / 2)], "could not be read"),
            ("other.json", good.Replace("xright.selection-report", "something-else"), "expected format 'xright.selection-report' version 2; found format 'something-else'"),
            ("future.json", good.Replace("\"version\": 2", "\"version\": 3"), "found format 'xright.selection-report' version 3"),
            ("array.json", "[]", "expected a JSON object"),
            ("unknown-chosen.json", good.Replace("\"chosen\": \"MAXRIGHT 0.5\"", "\"chosen\": \"nobody\""), "'nobody' is not among the report's candidates"),
            ("missing-rule.json", good.Replace("\"rule\":", "\"ruleX\":"), "could not be read"),
            ("nan.json", good.Replace("\"fDpo\": 0.4,", "\"fDpo\": \"NaN\","), "could not be read"),
        ];
        foreach (var (name, text, fragment) in cases)
        {
            Assert.AreNotEqual(good, text, $"{name}: the corruption must change the file");
            File.WriteAllText(temp.File(name), text);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => SelectionReportFiles.LoadJson(temp.File(name)), name);
            StringAssert.Contains(e.Message, temp.File(name), name);
            StringAssert.Contains(e.Message, fragment, name);
        }
        Assert.ThrowsExactly<FileNotFoundException>(() => SelectionReportFiles.LoadJson(temp.File("absent.json")));
    }

    [TestMethod]
    public void MarkdownMarksTheChosenRowAndSaysHowTheIdealPointWasObtained()
    {
        var markdown = FullReport().ToMarkdown();
        var rows = markdown.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToArray();
        Assert.HasCount(5, rows, "header and four candidates");
        var marked = rows.Where(r => r.Contains("▶ chosen", StringComparison.Ordinal)).ToArray();
        Assert.HasCount(1, marked);
        StringAssert.StartsWith(marked[0], "| **▶ chosen** | MAXRIGHT 0.5 | MAXRIGHT | λ = 0.5 |");

        // G_Mix at λ = 0.5 from (0.30, 1.498): Seq 0.251, ALRIGHT 0.176, MAXRIGHT 0.111, Mix 0.226.
        StringAssert.Contains(markdown, "- **Chosen:** MAXRIGHT 0.5 (MAXRIGHT, λ = 0.5), saved at `models/maxright-0.5`");
        StringAssert.Contains(markdown, "- **Rule:** minimum G_Mix,λ at λ = 0.5");
        StringAssert.Contains(markdown, "f*_DPO = 0.3000 (estimated: minimum over the candidates), f*_SFT = 1.4980 (given)");
    }

    [TestMethod]
    public void MarkdownRowsCarryTheMetrics()
    {
        var markdown = FullReport().ToMarkdown();
        var mix = markdown.Split('\n').Single(l => l.StartsWith("|  | Mix 0.5 |", StringComparison.Ordinal));
        // Mix (0.45, 1.80) vs ideal (0.30, 1.498): gaps 0.15 and 0.302, G at λ = 0.5: 0.226; paired with Seq(3,3):
        // runtime +60 %, memory +50 %, ∆m% = ½(−(0.45−0.6)/0.6 − (1.8−1.7)/1.7)·100 = ½(25 − 5.882) = 9.559.
        StringAssert.Contains(mix, "| 0.4500 | 1.8000 | 0.1500 | 0.3020 |");
        StringAssert.Contains(mix, "| 0.2260 |");
        StringAssert.Contains(mix, "| Seq(3,3) | +9.6 | +60.0 | +50.0 | — |");
        var sequential = markdown.Split('\n').Single(l => l.StartsWith("|  | Seq(3,3) |", StringComparison.Ordinal));
        StringAssert.Contains(sequential, "(T_DPO, T_SFT) = (3, 3)");
        StringAssert.EndsWith(sequential.TrimEnd(), "| — | — | — | — | — |");
    }

    [TestMethod]
    public void MarkdownShowsConstraintMissesAndEscapesPipes()
    {
        var report = ParetoSelection.Analyze(
            [Sweep.Joint("left|right", 0.5, 0.25, 2.0), Sweep.Joint("B", 0.5, 0.5, 1.75)],
            new ParetoSelectionOptions { Rule = SelectionRule.BestSftWithDpoAtMost(0.25) });
        var markdown = report.ToMarkdown();
        StringAssert.Contains(markdown, "| **▶ chosen** | left\\|right |");
        StringAssert.Contains(markdown, "| ✗ misses by 0.2500 |");
    }

    [TestMethod]
    public void MarkdownIsSavedAtomically()
    {
        using var temp = new TempDirectory();
        var report = FullReport();
        report.SaveMarkdown(temp.File("sub/report.md"));
        Assert.AreEqual(report.ToMarkdown(), File.ReadAllText(temp.File("sub/report.md")));
        CollectionAssert.AreEquivalent(new[] { "report.md" }, Directory.GetFiles(temp.File("sub")).Select(Path.GetFileName).ToArray());
    }
}
