using System.Globalization;
using Spectre.Console;
using XRight.Selection;

namespace XRight.Samples;

/// <summary>The Pareto table of a sweep on the console.</summary>
internal static class ReportTable
{
    public static void Print(SelectionReport report)
    {
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        var table = new Table().Title($"Pareto selection ({Markup.Escape(report.Rule)})")
            .AddColumns("Run", "f_DPO", "f_SFT", "ideal distance", "on front", "runtime (s)", "vs Sequential");
        foreach (var c in report.Candidates.OrderBy(c => c.IdealDistance))
        {
            bool chosen = c.Candidate.Name == report.Chosen;
            string name = Markup.Escape(c.Candidate.Name);
            table.AddRow(chosen ? $"[bold green]▶ {name}[/]" : name, F(c.Candidate.FDpo), F(c.Candidate.FSft), F(c.IdealDistance),
                c.OnFront ? "yes" : "", c.Candidate.RuntimeSeconds.ToString("0.0", CultureInfo.InvariantCulture),
                c.VersusSequential is { } v ? $"{v.RuntimeIncreasePercent:+0;-0;0}% time" : "");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Ideal point (f*_DPO, f*_SFT) = ({F(report.Ideal.FDpo)}, {F(report.Ideal.FSft)}); chosen: [bold green]{Markup.Escape(report.Chosen)}[/]");
    }
}
