using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XRight.Tests.MLNet;

/// <summary>Runs the model-zip probe in a new process: load a zip there, apply it to rows, read back every output.</summary>
internal static class FreshProcess
{
    public static IReadOnlyList<JsonObject> Transform(string zipPath, IEnumerable<object> rows, string workFolder)
    {
        var input = Path.Combine(workFolder, "probe-input.jsonl");
        var output = Path.Combine(workFolder, "probe-output.jsonl");
        File.WriteAllLines(input, rows.Select(r => JsonSerializer.Serialize(r)));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { ProbeAssembly(), zipPath, input, output }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(entireProcessTree: true); Assert.Fail("The probe process timed out."); }
        Assert.AreEqual(0, process.ExitCode, $"probe failed:\n{stdout}\n{stderr.Result}");
        return File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
    }

    // The probe is built beside this test project (same configuration), in its own output folder.
    private static string ProbeAssembly()
    {
        var testBin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var marker = $"{Path.DirectorySeparatorChar}XRight.MLNet.Tests{Path.DirectorySeparatorChar}";
        int at = testBin.LastIndexOf(marker, StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, at, $"cannot locate the test project folder in {testBin}");
        var path = Path.Combine(testBin[..at], "XRight.ModelZipProbe", testBin[(at + marker.Length)..], "XRight.ModelZipProbe.dll");
        Assert.IsTrue(File.Exists(path), $"the probe is not built at {path}");
        return path;
    }
}
