using System.Diagnostics;
using System.Text.Json;

namespace XRight.Benchmarks;

/// <summary>
/// Runs a case in a fresh copy of this program, so that each case's peak resident memory is its own and
/// no allocator state carries over from one case to the next.
/// </summary>
internal static class ChildProcess
{
    public const string CaseFlag = "--case";
    public const string ResultFlag = "--result";

    /// <summary>The mmap threshold of <see cref="CaseSpec.FixedMmapThreshold"/> cases, in bytes.</summary>
    public const int MmapThreshold = 128 * 1024;

    public static CaseResult Run(CaseSpec spec)
    {
        string resultFile = Path.Combine(Path.GetTempPath(), $"xright-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        start.FileName = host;
        if (spec.FixedMmapThreshold) start.Environment["MALLOC_MMAP_THRESHOLD_"] = MmapThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Under `dotnet X.dll` the process is the dotnet host: pass it the assembly again.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        start.ArgumentList.Add(CaseFlag);
        start.ArgumentList.Add(JsonSerializer.Serialize(spec, Json.Options));
        start.ArgumentList.Add(ResultFlag);
        start.ArgumentList.Add(resultFile);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a benchmark process.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        try
        {
            if (process.ExitCode != 0 || !File.Exists(resultFile))
                throw new InvalidOperationException($"Case '{spec.Label}' failed (exit code {process.ExitCode}):\n{output.Result}\n{errors.Result}");
            return JsonSerializer.Deserialize<CaseResult>(File.ReadAllText(resultFile), Json.Options)
                   ?? throw new InvalidDataException($"Case '{spec.Label}' wrote an empty result.");
        }
        finally
        {
            File.Delete(resultFile);
        }
    }

    /// <summary>The child side: runs the case given on the command line and writes its result file.</summary>
    public static int RunCase(string specJson, string resultFile)
    {
        var spec = JsonSerializer.Deserialize<CaseSpec>(specJson, Json.Options) ?? throw new ArgumentException("Empty case description.");
        var result = CaseRunner.Run(spec);
        File.WriteAllText(resultFile, JsonSerializer.Serialize(result, Json.Options));
        return 0;
    }
}
