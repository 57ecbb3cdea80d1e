using ScottPlot;
using XRight.Training;

namespace XRight.Selection;

/// <summary>Builds the objective-space figure of <see cref="SelectionPlots.SaveObjectiveSpace"/>.</summary>
internal static class ObjectiveSpacePlot
{
    public static Plot Build(SelectionReport report)
    {
        var plot = new Plot();
        var legend = new List<LegendItem>();
        var strategies = PlotStyle.Strategies(report);

        for (var i = 0; i < report.Candidates.Count; i++)
        {
            var candidate = report.Candidates[i].Candidate;
            var color = PlotStyle.CandidateColor(i);
            var shape = PlotStyle.StrategyShape(Array.IndexOf(strategies, candidate.Strategy));

            // The trajectory ends at the final held-out point, which the marker shows.
            double[] xs = [.. candidate.Trajectory.Select(p => p.FDpo), candidate.FDpo];
            double[] ys = [.. candidate.Trajectory.Select(p => p.FSft), candidate.FSft];
            if (xs.Length > 1)
            {
                var line = plot.Add.Scatter(xs, ys, color);
                line.MarkerSize = 0;
                line.LineWidth = 1.5f;
            }
            var final = plot.Add.Marker(candidate.FDpo, candidate.FSft, shape, 9, color);
            final.MarkerLineColor = color;

            legend.Add(new LegendItem
            {
                LabelText = candidate.Name,
                LineColor = color,
                LineWidth = xs.Length > 1 ? 1.5f : 0,
                MarkerShape = shape,
                MarkerSize = 9,
                MarkerFillColor = color,
                MarkerLineColor = color,
            });
        }

        var front = ParetoFront.StepOrder(report.Front.Select(r => new ObjectivePair(r.Candidate.FDpo, r.Candidate.FSft)));
        if (front.Length > 1)
        {
            var step = plot.Add.Scatter(front.Select(p => p.Dpo).ToArray(), front.Select(p => p.Sft).ToArray(), Colors.Black);
            // Horizontal first: the boundary of the region the front dominates (both objectives minimised).
            step.ConnectStyle = ConnectStyle.StepHorizontal;
            step.LinePattern = LinePattern.Dashed;
            step.LineWidth = 1.5f;
            step.MarkerSize = 0;
        }
        legend.Add(new LegendItem { LabelText = "Pareto front", LineColor = Colors.Black, LineWidth = 1.5f, LinePattern = LinePattern.Dashed });

        var ideal = plot.Add.Marker(report.Ideal.FDpo, report.Ideal.FSft, MarkerShape.Asterisk, 16, Colors.Black);
        ideal.MarkerLineWidth = 2;
        legend.Add(new LegendItem { LabelText = IdealLabel(report.Ideal), MarkerShape = MarkerShape.Asterisk, MarkerSize = 16, MarkerLineColor = Colors.Black, MarkerLineWidth = 2 });

        var chosen = report.ChosenCandidate.Candidate;
        var ring = plot.Add.Marker(chosen.FDpo, chosen.FSft, MarkerShape.OpenCircle, 24, PlotStyle.ChosenColor);
        ring.MarkerLineWidth = 2.5f;
        legend.Add(new LegendItem { LabelText = $"Chosen: {chosen.Name}", MarkerShape = MarkerShape.OpenCircle, MarkerSize = 16, MarkerLineColor = PlotStyle.ChosenColor, MarkerLineWidth = 2.5f });

        plot.Title($"Objective space: {report.Rule}");
        plot.XLabel("f_DPO (held-out)");
        plot.YLabel("f_SFT (held-out)");
        plot.Legend.ManualItems.AddRange(legend);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static string IdealLabel(IdealPoint ideal) =>
        ideal.DpoSource == IdealValueSource.Given && ideal.SftSource == IdealValueSource.Given ? "Ideal point (f* given)"
        : ideal.DpoSource == IdealValueSource.CandidateMinimum && ideal.SftSource == IdealValueSource.CandidateMinimum ? "Ideal point (candidate minima)"
        : "Ideal point (partly estimated)";
}
