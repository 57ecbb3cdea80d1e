using XRight;
using ScottPlot;
using XRight.Toy;
using XRight.Training;
using XRight.Training.Strategies;

namespace ToyTradeoff;

/// <summary>PNG plots of the toy runs.</summary>
internal static class TrajectoryPlot
{
    private const int Width = 900, Height = 650;

    /// <summary>Each run's path in the (f_DPO, f_SFT) plane, its end point, the start and the ideal point.</summary>
    public static void ObjectiveSpace(string path, string title, IReadOnlyList<ToyRun> runs, ObjectivePair ideal)
    {
        var plot = new Plot();
        foreach (var run in runs)
        {
            var line = plot.Add.Scatter(run.Points.Select(p => p.FDpo).ToArray(), run.Points.Select(p => p.FSft).ToArray());
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = run.Strategy;
            var end = plot.Add.Marker(run.Final.FDpo, run.Final.FSft, MarkerShape.FilledCircle, 8);
            end.Color = line.Color;
        }
        var start = runs[0].Points[0];
        plot.Add.Marker(start.FDpo, start.FSft, MarkerShape.OpenSquare, 10, Colors.Black).LegendText = "start";
        plot.Add.Marker(ideal.Dpo, ideal.Sft, MarkerShape.Eks, 16, Colors.Black).LegendText = "ideal point";
        plot.Title(title);
        plot.XLabel("f_DPO");
        plot.YLabel("f_SFT");
        plot.ShowLegend(Alignment.UpperRight);
        OutputFiles.WriteAtomically(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
    }

    /// <summary>The optimality gap G_Mix,0.5 of Sequential and ALRIGHT against log10 of the horizon T.</summary>
    public static void GapByHorizon(string path, IReadOnlyList<(int T, double SequentialGap, double AlrightGap)> rows)
    {
        var plot = new Plot();
        double[] x = rows.Select(r => Math.Log10(r.T)).ToArray();
        var sequential = plot.Add.Scatter(x, rows.Select(r => r.SequentialGap).ToArray());
        sequential.LegendText = "Sequential";
        var alright = plot.Add.Scatter(x, rows.Select(r => r.AlrightGap).ToArray());
        alright.LegendText = "ALRIGHT (mean of seeds)";
        var bound = plot.Add.HorizontalLine(0.256843);
        bound.LinePattern = LinePattern.Dashed;
        bound.LegendText = "paper's bound for θ ≥ 0";
        plot.Title("1-D lower-bound example: G_Mix,0.5 after T steps per objective");
        plot.XLabel("log10 T");
        plot.YLabel("G_Mix,0.5");
        plot.ShowLegend(Alignment.MiddleRight);
        OutputFiles.WriteAtomically(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
    }
}
