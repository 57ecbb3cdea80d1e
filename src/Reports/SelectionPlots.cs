using ScottPlot;
using XRight.IO;

namespace XRight.Selection;

/// <summary>
/// PNG figures of a <see cref="SelectionReport"/>, after the paper's Figure 3: the objective space
/// with trajectories, front, ideal point and chosen model; and bar charts of the per-candidate metrics.
/// Rendering needs no display (SkiaSharp); files are written atomically.
/// </summary>
public static class SelectionPlots
{
    private const int MinimumSide = 100;
    private const int MaximumSide = 10_000;

    /// <summary>
    /// The objective space: x = f_DPO, y = f_SFT. Each candidate's trajectory is a line ending at its
    /// final held-out point (one color per candidate, one marker shape per strategy); the Pareto front
    /// is a dashed step line, the ideal point a black star and the chosen model a red ring.
    /// </summary>
    /// <param name="report">The report to draw.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveObjectiveSpace(SelectionReport report, string path, int width = 1200, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(report);
        CheckSize(width, height);
        using var plot = ObjectiveSpacePlot.Build(report);
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));
    }

    /// <summary>
    /// Bar charts, one panel per metric and one bar per candidate (colored by strategy, the chosen
    /// one outlined): DPO and SFT optimality gaps, ideal distance, and the runtime, peak-memory and
    /// utilization increases versus the paired Sequential run, then each benchmark metric (per-subject ones
    /// excepted) and the overall ∆m% over <see cref="ParetoSelectionOptions.ImprovementMetrics"/> (panels without
    /// any value are left out). Only the first panel has a legend, above its bars' headroom.
    /// </summary>
    /// <param name="report">The report to draw.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveMetricBars(SelectionReport report, string path, int width = 1200, int height = 1400)
    {
        ArgumentNullException.ThrowIfNull(report);
        CheckSize(width, height);
        var multiplot = MetricBarsPlot.Build(report, height);
        try
        {
            using var image = multiplot.Render(width, height);
            AtomicFile.WriteAllBytes(path, image.GetImageBytes(ImageFormat.Png, 100));
        }
        finally
        {
            // The multiplot itself holds no native resources; its panels do.
            foreach (var panel in multiplot.GetPlots()) panel.Dispose();
        }
    }

    private static void CheckSize(int width, int height)
    {
        if (width is < MinimumSide or > MaximumSide)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The image width must lie in [{MinimumSide}, {MaximumSide}] pixels.");
        if (height is < MinimumSide or > MaximumSide)
            throw new ArgumentOutOfRangeException(nameof(height), height, $"The image height must lie in [{MinimumSide}, {MaximumSide}] pixels.");
    }
}
