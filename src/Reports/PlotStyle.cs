using ScottPlot;

namespace XRight.Selection;

/// <summary>The colors and marker shapes both figures share, so a candidate looks the same in each.</summary>
internal static class PlotStyle
{
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    private static readonly MarkerShape[] StrategyShapes =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.FilledTriangleDown, MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenDiamond,
    ];

    public static Color ChosenColor => Colors.Red;

    public static Color CandidateColor(int index) => Palette.GetColor(index);

    /// <summary>The strategies in order of first appearance.</summary>
    public static string[] Strategies(SelectionReport report) =>
        [.. report.Candidates.Select(c => c.Candidate.Strategy).Distinct(StringComparer.Ordinal)];

    public static MarkerShape StrategyShape(int strategyIndex) => StrategyShapes[strategyIndex % StrategyShapes.Length];

    public static Color StrategyColor(int strategyIndex) => Palette.GetColor(strategyIndex);
}
