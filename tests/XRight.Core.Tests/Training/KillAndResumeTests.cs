using System.Diagnostics;

namespace XRight.Tests.Training;

/// <summary>
/// A run killed with SIGKILL (Process.Kill) in the middle of a checkpoint write and again in the middle of a
/// step, then resumed, ends with the same weights, bit for bit, as an uninterrupted run, and leaves no
/// temporary checkpoint folder. The run is a child process (tests/XRight.KillProbe) that prints a line and
/// blocks at the moment to kill, so the kills land exactly there.
/// </summary>
[TestClass]
public sealed class KillAndResumeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    [TestMethod]
    public void AKilledRunResumesToTheWeightsOfAnUninterruptedRun()
    {
        using var dir = new TempDirectory();
        var checkpoints = dir.File("checkpoints");

        var straight = Run(["-", dir.File("straight.bin")], until: null);
        StringAssert.Contains(straight, "done after 12 steps");

        // Killed while checkpoint 5's files sit in its temporary folder, before the rename.
        var killed = Run([checkpoints, dir.File("unused.bin"), "--hold-in-checkpoint", "5"], until: "holding in ");
        StringAssert.Contains(killed, "starting");
        var half = Directory.GetDirectories(checkpoints, ".checkpoint-0000005.*.tmp");
        Assert.HasCount(1, half, "the kill left checkpoint 5 half-written");
        Assert.IsTrue(File.Exists(Path.Combine(half[0], "state.json")), "its files were written");
        CollectionAssert.AreEqual(new[] { "checkpoint-0000003", "checkpoint-0000004" }, Checkpoints(checkpoints), "keep 2: the last complete ones");

        // Resumed from checkpoint 4, killed in the progress report of step 9 (after its update, before its checkpoint).
        var resumed = Run([checkpoints, dir.File("unused.bin"), "--hold-at-step", "9"], until: "holding at step 9");
        StringAssert.Contains(resumed, "resuming from checkpoint-0000004");
        Assert.IsEmpty(Directory.GetDirectories(checkpoints, ".checkpoint-*.tmp"), "the resumed run removed the half-written folder");
        CollectionAssert.AreEqual(new[] { "checkpoint-0000007", "checkpoint-0000008" }, Checkpoints(checkpoints));

        var finished = Run([checkpoints, dir.File("resumed.bin")], until: null);
        StringAssert.Contains(finished, "resuming from checkpoint-0000008");
        StringAssert.Contains(finished, "done after 12 steps");

        CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("straight.bin")), File.ReadAllBytes(dir.File("resumed.bin")),
            "killed twice and resumed, the run ends with the uninterrupted run's weights");
        Assert.IsEmpty(Directory.GetDirectories(checkpoints, ".*"), "no temporary folder is left");
        CollectionAssert.AreEqual(new[] { "checkpoint-0000011", "checkpoint-0000012" }, Checkpoints(checkpoints));
    }

    private static string[] Checkpoints(string folder)
        => Directory.GetDirectories(folder, "checkpoint-*").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    // Runs the probe; with `until`, kills it (SIGKILL on Unix) as soon as it prints a line starting so, else waits for exit 0.
    private static string Run(string[] arguments, string? until)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ProbeAssembly());
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        var clock = Stopwatch.StartNew();
        try
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                output.AppendLine(line);
                if (until is not null && line.StartsWith(until, StringComparison.Ordinal))
                {
                    process.Kill();
                    Assert.IsTrue(process.WaitForExit(Limit), "the killed probe did not exit");
                    return output.ToString();
                }
                if (clock.Elapsed > Limit) Assert.Fail($"the probe ran past {Limit}:\n{output}");
            }
            Assert.IsTrue(process.WaitForExit(Limit), "the probe did not exit");
            Assert.IsNull(until, $"the probe ended without printing '{until}':\n{output}\n{stderr.Result}");
            Assert.AreEqual(0, process.ExitCode, $"the probe failed:\n{output}\n{stderr.Result}");
            return output.ToString();
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    // The probe is built beside this test project (same configuration), in its own output folder.
    private static string ProbeAssembly()
    {
        var testBin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var marker = $"{Path.DirectorySeparatorChar}XRight.Core.Tests{Path.DirectorySeparatorChar}";
        int at = testBin.LastIndexOf(marker, StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, at, $"cannot locate the test project folder in {testBin}");
        var path = Path.Combine(testBin[..at], "XRight.KillProbe", testBin[(at + marker.Length)..], "XRight.KillProbe.dll");
        Assert.IsTrue(File.Exists(path), $"the probe is not built at {path}");
        return path;
    }
}
