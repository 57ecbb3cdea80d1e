using System.Globalization;
using System.Text;

namespace XRight.Selection;

/// <summary>Renders a <see cref="SelectionReport"/> as Markdown: a summary list, then one table row per candidate.</summary>
internal static class SelectionReportMarkdown
{
    /// <summary>The first cell of the chosen candidate's row.</summary>
    public const string ChosenMarker = "**▶ chosen**";

    private const string Missing = "—";

    public static string Write(SelectionReport report)
    {
        var chosen = report.ChosenCandidate.Candidate;
        var front = report.Front.Select(c => c.Candidate.Name).ToArray();
        var md = new StringBuilder();
        md.AppendLine("# Model selection").AppendLine();
        md.Append("- **Chosen:** ").Append(Cell(chosen.Name)).Append(" (").Append(Cell(chosen.Strategy)).Append(", ").Append(chosen.Setting).Append(')');
        if (chosen.ModelPath is { } modelPath) md.Append(", saved at `").Append(modelPath).Append('`');
        md.AppendLine();
        md.Append("- **Rule:** ").AppendLine(report.Rule);
        var ideal = report.Ideal;
        md.Append("- **Ideal point:** f*_DPO = ").Append(Number(ideal.FDpo)).Append(" (").Append(Coordinate(ideal.DpoSource, ideal.DpoMovedToCandidate, ideal.DpoBeforeMove, "f_DPO"))
          .Append("), f*_SFT = ").Append(Number(ideal.FSft)).Append(" (").Append(Coordinate(ideal.SftSource, ideal.SftMovedToCandidate, ideal.SftBeforeMove, "f_SFT")).AppendLine(")");
        md.Append("- **Pareto front:** ").Append(front.Length).Append(" of ").Append(report.Candidates.Count).Append(" candidates: ")
          .AppendLine(string.Join(", ", front.Select(Cell)));
        md.Append("- **Sequential pairing:** ").AppendLine(report.SequentialMatching);
        md.Append("- **Reused from an earlier sweep:** ").AppendLine(Reused(report));
        md.AppendLine("- G_Mix uses f*_Mix,λ ≈ λ·f*_DPO + (1−λ)·f*_SFT at the candidate's own λ; increases are relative to the paired Sequential run; ∆m% > 0 means better objectives than that run.");
        md.AppendLine();

        md.AppendLine("| | Candidate | Strategy | Setting | f_DPO | f_SFT | DPO gap | SFT gap | Ideal distance | G_Mix | Front | Stop | Steps | Rule score | Sequential run | ∆m% | Runtime Δ% | Peak memory Δ% | Utilization Δ% |");
        md.AppendLine("|---|---|---|---|--:|--:|--:|--:|--:|--:|:-:|---|--:|--:|---|--:|--:|--:|--:|");
        foreach (var row in report.Candidates)
        {
            var c = row.Candidate;
            var versus = row.VersusSequential;
            string[] cells =
            [
                c.Name == report.Chosen ? ChosenMarker : "",
                Cell(c.Name),
                Cell(c.Strategy),
                c.Setting,
                Number(c.FDpo),
                Number(c.FSft),
                Number(row.DpoGap),
                Number(row.SftGap),
                Number(row.IdealDistance),
                row.MixGap is { } mixGap ? Number(mixGap) : Missing,
                row.OnFront ? "✓" : "",
                Stop(row.StopReason),
                row.Steps.ToString(CultureInfo.InvariantCulture),
                row.SatisfiesRule ? Number(row.RuleScore) : $"✗ misses by {Number(row.RuleViolation)}",
                versus is null ? Missing : Cell(versus.Baseline),
                Percent(versus?.DeltaMPercent),
                Percent(versus?.RuntimeIncreasePercent),
                Percent(versus?.PeakMemoryIncreasePercent),
                Percent(versus?.UtilizationIncreasePercent),
            ];
            md.Append("| ").Append(string.Join(" | ", cells)).AppendLine(" |");
        }
        WriteBenchmarks(md, report);
        return md.ToString();
    }

    /// <summary>
    /// The benchmark metrics shown in tables and plots: every "benchmark/metric" whose metric key has no '/'
    /// (per-subject scores such as <c>acc/virology</c> stay in the JSON report), by benchmark then metric name.
    /// </summary>
    internal static string[] BenchmarkColumns(SelectionReport report) =>
    [
        .. report.Candidates
            .SelectMany(r => r.Candidate.Benchmarks.SelectMany(b => b.Value.Metrics.Keys.Where(k => !k.Contains('/', StringComparison.Ordinal)).Select(k => (Benchmark: b.Key, Metric: k))))
            .Distinct()
            .OrderBy(c => c.Benchmark, StringComparer.Ordinal).ThenBy(c => c.Metric, StringComparer.Ordinal)
            .Select(c => c.Benchmark + "/" + c.Metric),
    ];

    /// <summary>A benchmark metric ("mmlu/acc") of a candidate, when it has it.</summary>
    internal static double? BenchmarkValue(SelectionCandidate candidate, string column)
    {
        int slash = column.IndexOf('/', StringComparison.Ordinal);
        return candidate.Benchmarks.TryGetValue(column[..slash], out var result) && result.Metrics.TryGetValue(column[(slash + 1)..], out var value) ? value : null;
    }

    // One row per candidate with its benchmark metrics and the overall ∆m% against its paired Sequential run.
    private static void WriteBenchmarks(StringBuilder md, SelectionReport report)
    {
        var columns = BenchmarkColumns(report);
        var overall = report.Candidates.Select(r => r.VersusSequential?.Overall).FirstOrDefault(o => o is not null);
        if (columns.Length == 0 && overall is null) return;
        md.AppendLine().AppendLine("## Benchmarks").AppendLine();
        if (overall is not null)
            md.Append("- **∆m% over:** ").Append(string.Join(", ", overall.Metrics.Select(Cell)))
              .AppendLine(" (eq. 52, against each joint candidate's paired Sequential run; ↑ higher is better, ↓ lower is better)");
        if (report.Candidates.Any(r => r.Candidate.Benchmarks.Values.Any(b => b.Metrics.Keys.Any(k => k.Contains('/', StringComparison.Ordinal)))))
            md.AppendLine("- Per-subject and other sub-metrics are in the JSON report.");
        md.AppendLine();
        md.Append("| | Candidate | ").Append(string.Join("", columns.Select(c => Cell(c) + " | "))).AppendLine(overall is null ? "" : "∆m% (all metrics) |");
        md.Append("|---|---|").Append(string.Concat(columns.Select(_ => "--:|"))).AppendLine(overall is null ? "" : "--:|");
        var undefined = new List<string>();
        foreach (var row in report.Candidates)
        {
            var c = row.Candidate;
            var cells = new List<string> { c.Name == report.Chosen ? ChosenMarker : "", Cell(c.Name) };
            cells.AddRange(columns.Select(column => BenchmarkValue(c, column) is { } value ? Number(value) : Missing));
            if (overall is not null)
            {
                var improvement = row.VersusSequential?.Overall;
                if (improvement?.Undefined is { } why) undefined.Add($"- {Cell(c.Name)}: ∆m% undefined: {Cell(why)}.");
                cells.Add(improvement is null ? Missing : improvement.Percent is { } percent ? Percent(percent) : "undefined");
            }
            md.Append("| ").Append(string.Join(" | ", cells)).AppendLine(" |");
        }
        if (undefined.Count > 0) md.AppendLine().AppendLine(string.Join(Environment.NewLine, undefined));
    }

    private static string Source(IdealValueSource source) => source switch
    {
        IdealValueSource.Given => "given",
        IdealValueSource.CandidateMinimum => "estimated: minimum over the candidates",
        IdealValueSource.Estimated => "estimated: single-objective run with the same budget",
        IdealValueSource.ReusedEstimate => "estimated: single-objective run with the same budget, reused from an earlier sweep",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown ideal-value source."),
    };

    // A coordinate that moved names the candidate below the obtained value and that value.
    private static string Coordinate(IdealValueSource source, string? movedTo, double? before, string objective) => movedTo is null
        ? Source(source)
        : $"moved to the observed minimum: {Cell(movedTo)}'s {objective}, below {Number(before ?? double.NaN)} ({Source(source)})";

    private static string Stop(TrainingStopReason reason) => reason switch
    {
        TrainingStopReason.Completed => "completed",
        TrainingStopReason.GapReached => "gap reached",
        TrainingStopReason.DominatesTarget => "dominates target",
        TrainingStopReason.StrategyFinished => "strategy finished",
        _ => reason.ToString(),
    };

    // Which candidates (and f* estimates) an earlier sweep with the same content key provided.
    private static string Reused(SelectionReport report)
    {
        var candidates = report.Candidates.Where(c => c.Candidate.Reused).Select(c => Cell(c.Candidate.Name)).ToArray();
        var optima = new[] { ("f*_DPO", report.Ideal.DpoSource), ("f*_SFT", report.Ideal.SftSource) }
            .Where(o => o.Item2 == IdealValueSource.ReusedEstimate).Select(o => o.Item1).ToArray();
        var parts = new List<string>();
        if (candidates.Length > 0) parts.Add($"{candidates.Length} of {report.Candidates.Count} candidates ({string.Join(", ", candidates)})");
        if (optima.Length > 0) parts.Add(string.Join(" and ", optima));
        return parts.Count == 0 ? "none" : string.Join("; ", parts);
    }

    private static string Number(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Percent(double? value) => value is { } v ? v.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : Missing;

    // A '|' inside a cell would end it; line breaks would end the row.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
