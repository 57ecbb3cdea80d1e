using XRight.IO;

namespace XRight.Selection;

/// <summary>A <see cref="SelectionReport"/> as Markdown and as JSON that loads back.</summary>
public static class SelectionReportFiles
{
    /// <summary>The report as Markdown: a summary and one table row per candidate, the chosen row marked.</summary>
    public static string ToMarkdown(this SelectionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return SelectionReportMarkdown.Write(report);
    }

    /// <summary>Writes <see cref="ToMarkdown"/> to <paramref name="path"/> (atomically).</summary>
    public static void SaveMarkdown(this SelectionReport report, string path) => AtomicFile.WriteAllText(path, report.ToMarkdown());

    /// <summary>Writes the report as JSON to <paramref name="path"/> (atomically); <see cref="LoadJson"/> reads it back.</summary>
    public static void SaveJson(this SelectionReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        AtomicFile.WriteAllText(path, SelectionReportJson.Serialize(report));
    }

    /// <summary>Reads a report written by <see cref="SaveJson"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid report of a known format version; the message names the file.</exception>
    public static SelectionReport LoadJson(string path) => SelectionReportJson.Load(path);
}
