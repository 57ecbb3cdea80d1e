using System.Buffers.Binary;
using XRight.Selection;

namespace XRight.Tests.Selection;

/// <summary>The benchmark metrics and the overall ∆m% in the Markdown and JSON reports and in the bar charts.</summary>
[TestClass]
public sealed class BenchmarkReportTests
{
    // Rule: best mmlu/acc with a DPO gap ≤ 0.15; f*_DPO = 0.30 (the minimum), so Seq's gap 0.30 misses and ALRIGHT (0.30 > 0.20) wins.
    private static SelectionReport Report(double sequentialAccNorm = 0.5) => ParetoSelection.Analyze(
    [
        BenchmarkSelectionTests.WithBenchmarks(Sweep.Sequential("Seq(3,3)", 3, 3, 0.60, 1.70),
            ("mmlu", "acc", 0.25), ("mmlu", "acc/virology", 0.5), ("hellaswag", "acc", 0.25), ("hellaswag", "acc_norm", sequentialAccNorm)),
        BenchmarkSelectionTests.WithBenchmarks(Sweep.Joint("ALRIGHT 0.5", 0.5, 0.40, 1.75, runtime: 104),
            ("mmlu", "acc", 0.30), ("mmlu", "acc/virology", 0.5), ("hellaswag", "acc", 0.375), ("hellaswag", "acc_norm", 0.5)),
        BenchmarkSelectionTests.WithBenchmarks(Sweep.Joint("MAXRIGHT 0.5", 0.5, 0.30, 1.72, strategy: "MAXRIGHT", runtime: 110),
            ("mmlu", "acc", 0.20), ("mmlu", "acc/virology", 0.0), ("hellaswag", "acc", 0.25), ("hellaswag", "acc_norm", 0.25)),
    ],
    new ParetoSelectionOptions
    {
        Rule = SelectionRule.Best(SelectionMetric.Benchmark("mmlu", "acc"), SelectionConstraint.AtMost(SelectionMetric.DpoGap, 0.15)),
        ImprovementMetrics = [SelectionMetric.FDpo, SelectionMetric.FSft, SelectionMetric.Benchmark("mmlu", "acc"), SelectionMetric.Benchmark("hellaswag", "acc_norm")],
    });

    [TestMethod]
    public void MarkdownHasABenchmarkTableWithTheOverallImprovement()
    {
        // ALRIGHT vs Seq: (−(0.4−0.6)/0.6 − (1.75−1.7)/1.7 + (0.30−0.25)/0.25 + 0)/4 = (0.333333 − 0.029412 + 0.2)/4 = 12.598 %.
        // MAXRIGHT vs Seq: (0.5 − 0.011765 − 0.2 − 0.5)/4 = −5.294 %.
        var markdown = Report().ToMarkdown().ReplaceLineEndings("\n");
        const string expected = """

            ## Benchmarks

            - **∆m% over:** f_DPO ↓, f_SFT ↓, mmlu/acc ↑, hellaswag/acc_norm ↑ (eq. 52, against each joint candidate's paired Sequential run; ↑ higher is better, ↓ lower is better)
            - Per-subject and other sub-metrics are in the JSON report.

            | | Candidate | hellaswag/acc | hellaswag/acc_norm | mmlu/acc | ∆m% (all metrics) |
            |---|---|--:|--:|--:|--:|
            |  | Seq(3,3) | 0.2500 | 0.5000 | 0.2500 | — |
            | **▶ chosen** | ALRIGHT 0.5 | 0.3750 | 0.5000 | 0.3000 | +12.6 |
            |  | MAXRIGHT 0.5 | 0.2500 | 0.2500 | 0.2000 | -5.3 |

            """;
        StringAssert.EndsWith(markdown, expected);
        StringAssert.Contains(markdown, "- **Rule:** best mmlu/acc (higher is better) subject to DPO gap ≤ 0.15\n");
        // The main table keeps the objectives' ∆m%: ALRIGHT ½(33.333 − 2.941) = +15.2; its rule score is −0.30.
        StringAssert.Contains(markdown.Split('\n').Single(l => l.StartsWith("| **▶ chosen** | ALRIGHT 0.5 | ALRIGHT |", StringComparison.Ordinal)), "| -0.3000 | Seq(3,3) | +15.2 |");
    }

    [TestMethod]
    public void MarkdownSaysWhyAnOverallImprovementIsUndefined()
    {
        var markdown = Report(sequentialAccNorm: 0).ToMarkdown().ReplaceLineEndings("\n");
        StringAssert.Contains(markdown, "| **▶ chosen** | ALRIGHT 0.5 | 0.3750 | 0.5000 | 0.3000 | undefined |\n");
        StringAssert.Contains(markdown, "\n- ALRIGHT 0.5: ∆m% undefined: 'Seq(3,3)' has hellaswag/acc_norm = 0, so the relative change is undefined.\n");
    }

    [TestMethod]
    public void AReportWithoutBenchmarksHasNoBenchmarkSection()
    {
        var plain = ParetoSelection.Analyze([Sweep.Joint("J", 0.5, 0.4, 1.7), Sweep.Sequential("S", 3, 3, 0.5, 1.8)], new ParetoSelectionOptions { Rule = SelectionRule.MinIdealDistance });
        Assert.DoesNotContain("## Benchmarks", plain.ToMarkdown());
        CollectionAssert.DoesNotContain(MetricBarsPlot.Panels(plain).Select(p => p.Title).ToArray(), "∆m% vs Sequential, all metrics (%)");
    }

    [TestMethod]
    public void JsonKeepsTheBenchmarkResultsAndTheOverallImprovement()
    {
        using var temp = new TempDirectory();
        var original = Report();
        original.SaveJson(temp.File("report.json"));
        var loaded = SelectionReportFiles.LoadJson(temp.File("report.json"));
        for (var i = 0; i < original.Candidates.Count; i++)
        {
            var (a, b) = (original.Candidates[i], loaded.Candidates[i]);
            Assert.AreEqual(a.Candidate with { Run = a.Candidate.Run with { Trajectory = null! } }, b.Candidate with { Run = b.Candidate.Run with { Trajectory = null! } });
            Assert.AreEqual(a.Candidate.Benchmarks["mmlu"].Metrics["acc/virology"], b.Candidate.Benchmarks["mmlu"].Metrics["acc/virology"]);
            Assert.AreEqual(a.RuleScore, b.RuleScore);
            Assert.AreEqual(a.VersusSequential?.Overall?.Percent, b.VersusSequential?.Overall?.Percent);
            CollectionAssert.AreEqual(a.VersusSequential?.Overall?.Metrics.ToArray(), b.VersusSequential?.Overall?.Metrics.ToArray());
        }
        Assert.AreEqual(12.598039215686274, loaded.Candidates[1].VersusSequential!.Overall!.Percent!.Value, 1e-9);
    }

    [TestMethod]
    public void BarChartsAddAPanelPerBenchmarkMetricAndOneForTheOverallImprovement()
    {
        var report = Report();
        var panels = MetricBarsPlot.Panels(report);
        CollectionAssert.AreEqual(new[]
        {
            "DPO optimality gap", "SFT optimality gap", "Ideal distance", "Runtime increase vs Sequential (%)", "Peak memory increase vs Sequential (%)",
            "hellaswag/acc", "hellaswag/acc_norm", "mmlu/acc", "∆m% vs Sequential, all metrics (%)",
        }, panels.Select(p => p.Title).ToArray());
        CollectionAssert.AreEqual(new double?[] { 0.25, 0.30, 0.20 }, report.Candidates.Select(panels[7].Value).ToArray());
        var overall = report.Candidates.Select(panels[8].Value).ToArray();
        Assert.IsNull(overall[0], "the Sequential run has no bar");
        Assert.AreEqual(12.598039215686274, overall[1]!.Value, 1e-9);
        Assert.AreEqual(-5.294117647058824, overall[2]!.Value, 1e-9);

        using var temp = new TempDirectory();
        SelectionPlots.SaveMetricBars(report, temp.File("bars.png"), 900, 1600);
        var bytes = File.ReadAllBytes(temp.File("bars.png"));
        Assert.AreEqual((900, 1600), (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));
    }
}
