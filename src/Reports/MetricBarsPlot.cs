using ScottPlot;

namespace XRight.Selection;

/// <summary>Builds the bar-chart figure of <see cref="SelectionPlots.SaveMetricBars"/>.</summary>
internal static class MetricBarsPlot
{
    private const float LabelBand = 160;  // pixels below the last panel for the rotated candidate names

    internal sealed record Panel(string Title, Func<CandidateAssessment, double?> Value);

    private static readonly Panel[] FixedPanels =
    [
        new("DPO optimality gap", r => r.DpoGap),
        new("SFT optimality gap", r => r.SftGap),
        new("Ideal distance", r => r.IdealDistance),
        new("Runtime increase vs Sequential (%)", r => r.VersusSequential?.RuntimeIncreasePercent),
        new("Peak memory increase vs Sequential (%)", r => r.VersusSequential?.PeakMemoryIncreasePercent),
        new("Utilization increase vs Sequential (%)", r => r.VersusSequential?.UtilizationIncreasePercent),
    ];

    /// <summary>
    /// The panels drawn for <paramref name="report"/>: the fixed ones, then one per benchmark metric
    /// (<see cref="SelectionReportMarkdown.BenchmarkColumns"/>) and the overall ∆m%; panels without any value are left out.
    /// </summary>
    internal static Panel[] Panels(SelectionReport report)
    {
        Panel[] all =
        [
            .. FixedPanels,
            .. SelectionReportMarkdown.BenchmarkColumns(report).Select(column => new Panel(column, r => SelectionReportMarkdown.BenchmarkValue(r.Candidate, column))),
            new("∆m% vs Sequential, all metrics (%)", r => r.VersusSequential?.Overall?.Percent),
        ];
        return [.. all.Where(p => report.Candidates.Any(r => p.Value(r) is not null))];
    }

    public static Multiplot Build(SelectionReport report, int height)
    {
        var rows = report.Candidates;
        var shown = Panels(report);
        var strategies = PlotStyle.Strategies(report);
        var positions = Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray();

        var multiplot = new Multiplot();
        for (var k = 0; k < shown.Length; k++)
        {
            var last = k == shown.Length - 1;
            var plot = k == 0 ? multiplot.GetPlot(0) : multiplot.AddPlot();
            var bars = new List<Bar>();
            for (var i = 0; i < rows.Count; i++)
            {
                if (shown[k].Value(rows[i]) is not { } value) continue;
                var isChosen = rows[i].Candidate.Name == report.Chosen;
                bars.Add(new Bar
                {
                    Position = i,
                    Value = value,
                    FillColor = PlotStyle.StrategyColor(Array.IndexOf(strategies, rows[i].Candidate.Strategy)),
                    LineColor = isChosen ? PlotStyle.ChosenColor : Colors.Transparent,
                    LineWidth = isChosen ? 3 : 0,
                });
            }
            plot.Add.Bars(bars);
            plot.Title(shown[k].Title, 14);
            // Bars start at zero; the first panel keeps headroom for the strategy legend.
            plot.Axes.Margins(bottom: 0, top: k == 0 ? 0.3 : 0.1);

            // Names only under the last panel; equal paddings keep the panels' x axes aligned.
            string[] labels = last ? [.. rows.Select(r => r.Candidate.Name == report.Chosen ? "▶ " + r.Candidate.Name : r.Candidate.Name)] : [.. rows.Select(_ => "")];
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.SetLimitsX(-0.6, rows.Count - 0.4);
            plot.Layout.Fixed(new PixelPadding(left: 80, right: 20, bottom: last ? LabelBand : 10, top: 36));

            if (k == 0)
            {
                plot.Legend.ManualItems.AddRange(strategies.Select((s, j) => new LegendItem { LabelText = s, FillColor = PlotStyle.StrategyColor(j) }));
                plot.Legend.Orientation = Orientation.Horizontal;
                plot.ShowLegend(Alignment.UpperRight);
            }
        }

        // Equal data heights: every panel gets the same share, the last one also the label band.
        var dataHeight = (height - LabelBand) / shown.Length;
        var layout = new ScottPlot.MultiplotLayouts.DraggableRows();
        layout.SetHeights([.. shown.Select((_, k) => k == shown.Length - 1 ? dataHeight + LabelBand : dataHeight)]);
        multiplot.Layout = layout;
        return multiplot;
    }
}
