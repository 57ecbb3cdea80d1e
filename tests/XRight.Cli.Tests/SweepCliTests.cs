using System.Diagnostics;
using XRight.Cli.Commands;
using Microsoft.ML;
using XRight.MLNet;
using XRight.Cli.Config;
using XRight.Selection;
using XRight.Selection.Jobs;
using static XRight.Tests.Cli.CliFixture;

namespace XRight.Tests.Cli;

/// <summary>Sweeps through the command line: workers as child processes on one folder, a killed worker, and the in-process sweep they must equal.</summary>
[TestClass]
public sealed class SweepCliTests
{
    private static TempDirectory? _root;
    private static SelectionReport? _inProcess;

    [ClassInitialize]
    public static void Setup(TestContext _)
    {
        _root = new TempDirectory();
        WriteModelAndData(_root.Path);
        File.WriteAllText(Path.Combine(_root.Path, "sweep.json"), Config(sweep: true, checkpointInterval: 2));
        // The same sweep in one process: ParetoSelect's Fit on the data the config names.
        var config = ConfigLoader.Load(Path.Combine(_root.Path, "sweep.json"), needSweep: true);
        var ml = config.CreateContext();
        var raw = config.LoadRaw(ml);
        var data = config.TextPipeline(ml).Fit(raw).Transform(raw);
        var estimator = ml.PostTraining.ParetoSelect(config.Options, config.Sweep! with { WorkingDirectory = Path.Combine(_root.Path, "in-process") });
        using (estimator.Fit(data)) { }
        _inProcess = estimator.Report;
    }

    [ClassCleanup]
    public static void Cleanup() => _root?.Dispose();

    private static string Plan(string name)
    {
        var folder = Path.Combine(_root!.Path, name);
        var (code, output) = Run("sweep", "plan", "--config", Path.Combine(_root.Path, "sweep.json"), "--out", folder);
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "Planned 4 jobs");
        StringAssert.Contains(output, "candidates: 2,3");
        return folder;
    }

    private static void AssertSameAsInProcess(string folder)
    {
        var (code, output) = Run("sweep", "select", folder);
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "chosen: " + _inProcess!.Chosen);
        var selected = SweepFolder.Open(folder).Jobs.Select().Report;
        Assert.AreEqual(_inProcess.Chosen, selected.Chosen);
        Assert.AreEqual(_inProcess.Ideal, selected.Ideal, "the ideal point (f*) bit for bit");
        Assert.HasCount(_inProcess.Candidates.Count, selected.Candidates);
        foreach (var (a, b) in _inProcess.Candidates.Zip(selected.Candidates))
        {
            Assert.AreEqual(a.Candidate.Name, b.Candidate.Name);
            Assert.AreEqual(a.Candidate.FDpo, b.Candidate.FDpo, 0.0, a.Candidate.Name);
            Assert.AreEqual(a.Candidate.FSft, b.Candidate.FSft, 0.0, a.Candidate.Name);
            Assert.AreEqual(a.Candidate.Run.Steps, b.Candidate.Run.Steps, a.Candidate.Name);
            Assert.AreEqual(a.OnFront, b.OnFront, a.Candidate.Name);
        }
        foreach (var file in new[] { "report.md", "report.json", "objective-space.png", "metrics.png", "chosen/config.json" })
            Assert.IsTrue(File.Exists(Path.Combine(folder, file)), file);
        var leftovers = Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p) is var n && (n.EndsWith(".tmp", StringComparison.Ordinal) || n.Contains(".replaced-", StringComparison.Ordinal)))
            .ToList();
        Assert.IsEmpty(leftovers, "no temporary files are left: " + string.Join(", ", leftovers));
        Assert.IsFalse(Directory.EnumerateFileSystemEntries(Path.Combine(folder, "candidates", ".staging")).Any(), "nothing is left staged");
    }

    [TestMethod]
    public void ConcurrentWorkersRunEveryJobExactlyOnceAndSelectWhatTheInProcessSweepSelects()
    {
        var folder = Plan("concurrent");
        // Two workers for every job, all at once: candidates wait for the reference and f*, duplicates for the holder.
        var workers = Enumerable.Range(0, 4).SelectMany(i => new[] { i, i })
            .Select(i => (Index: i, Child: Start("sweep", "run", folder, "--index", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "600")))
            .ToList();
        var results = workers.Select(w => (w.Index, Result: Wait(w.Child))).ToList();
        foreach (var (index, (code, output)) in results) Assert.AreEqual(0, code, $"worker of job {index}: {output}");
        for (int i = 0; i < 4; i++)
        {
            var outputs = results.Where(r => r.Index == i).Select(r => r.Result.Output).ToList();
            Assert.AreEqual(1, outputs.Count(o => o.Contains($"job {i}: completed")), $"job {i} ran exactly once: {string.Join("\n---\n", outputs)}");
            Assert.AreEqual(1, outputs.Count(o => o.Contains($"job {i}: already done")), $"job {i}: the other worker found it done");
        }
        var (statusCode, status) = Run("sweep", "status", folder);
        Assert.AreEqual(0, statusCode, status);
        StringAssert.Contains(status, "4 of 4 jobs done");
        AssertSameAsInProcess(folder);
    }

    [TestMethod]
    public void AWorkerKilledInTheMiddleOfAJobIsResumedByTheNextOneWithNoTemporaryFilesLeft()
    {
        var folder = Plan("killed");
        foreach (var index in new[] { "0", "1" })
            Assert.AreEqual(0, Run("sweep", "run", folder, "--index", index).Code);
        var checkpoints = Path.Combine(folder, "checkpoints", "alright-l0.5");
        var child = Start("sweep", "run", folder, "--index", "2");
        var clock = Stopwatch.StartNew();
        while (!(Directory.Exists(checkpoints) && Directory.EnumerateDirectories(checkpoints, "checkpoint-*").Any()))
        {
            Assert.IsFalse(child.Process.HasExited, "the worker finished before its first checkpoint: " + child.Output);
            Assert.IsLessThan(300, clock.Elapsed.TotalSeconds, "no checkpoint within 300 s: " + child.Output);
            Thread.Sleep(10);
        }
        child.Process.Kill(); // SIGKILL: no cleanup of any kind runs in the worker.
        child.Process.WaitForExit();
        var jobs = SweepFolder.Open(folder).Jobs;
        var killed = jobs.Status()[2];
        Assert.AreEqual(SweepJobState.Pending, killed.State, "the kill released the claim, and the job is not done");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "candidates", "alright-l0.5.json")), "no record of a half-trained candidate");

        var rerun = Wait(Start("sweep", "run", folder, "--index", "2"));
        Assert.AreEqual(0, rerun.Code, rerun.Output);
        StringAssert.Contains(rerun.Output, "job 2: completed");
        Assert.AreEqual(0, Run("sweep", "run", folder, "--index", "3").Code);
        AssertSameAsInProcess(folder);
    }

    /// <summary>
    /// The sweep through Slurm: a single-node cluster (tools/slurm/slurm-ci.sh, which installs slurm-wlm and
    /// munge from the Debian archive when missing), the sweep submitted by tools/slurm/submit-sweep.sh as a
    /// prepare job, a candidate array with --dependency=afterok and a select job. Skipped (inconclusive, with
    /// the reason) where Slurm cannot be brought up: not Linux, not root, no package archive; the concurrent
    /// worker processes above run the same sweep there.
    /// </summary>
    [TestMethod]
    public void ASweepSubmittedToSlurmAsAJobArraySelectsWhatTheInProcessSweepSelects()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("Slurm runs on Linux only; the concurrent worker processes test covers the same sweep.");
        if (Bash("id -u", 10).Output.Trim() != "0") Assert.Inconclusive("Bringing up Slurm needs root (apt-get, the daemons); the concurrent worker processes test covers the same sweep.");
        var slurm = Path.Combine(RepositoryRoot(), "tools", "slurm");
        bool wasRunning = Bash("command -v scontrol >/dev/null && scontrol ping", 20).Code == 0;
        var up = Bash($"'{slurm}/slurm-ci.sh' up", 300);
        try
        {
            if (up.Code != 0)
                Assert.Inconclusive($"Slurm could not be brought up on this machine (slurm-ci.sh up exited {up.Code}): {Tail(up.Output)} The concurrent worker processes test covers the same sweep.");
            var folder = Path.Combine(_root!.Path, "slurm");
            var submit = Bash($"XRIGHT='dotnet {CliDll}' '{slurm}/submit-sweep.sh' '{Path.Combine(_root.Path, "sweep.json")}' '{folder}'", 120);
            Assert.AreEqual(0, submit.Code, submit.Output);
            var ids = submit.Output.Split('\n').Last(l => l.StartsWith("jobs: ", StringComparison.Ordinal))["jobs: ".Length..].Trim().Split(' ');
            Assert.HasCount(3, ids, submit.Output);
            Assert.AreNotEqual("none", ids[0], "the reference and f* jobs are submitted as the prepare step");
            var clock = Stopwatch.StartNew();
            while (Bash($"squeue -h -j {string.Join(',', ids)}", 20) is var queue && queue.Code == 0 && queue.Output.Trim().Length > 0)
            {
                var waiting = Bash($"scontrol -o show job {ids[2]}", 20).Output;
                Assert.DoesNotContain("DependencyNeverSatisfied", waiting, "a step failed: " + Logs(folder));
                Assert.IsLessThan(600, clock.Elapsed.TotalSeconds, "the sweep did not finish on Slurm within 600 s: " + queue.Output + Logs(folder));
                Thread.Sleep(200);
            }
            var selectJob = Bash($"scontrol -o show job {ids[2]}", 20).Output;
            StringAssert.Contains(selectJob, "JobState=COMPLETED", Logs(folder));
            var arrayJobs = Bash($"scontrol -o show job {ids[1]}", 20).Output;
            Assert.AreEqual(2, arrayJobs.Split('\n').Count(l => l.Contains("JobState=COMPLETED", StringComparison.Ordinal)), "both candidate tasks completed: " + arrayJobs);
            var selectLog = File.ReadAllText(Path.Combine(folder, "logs", $"select-{ids[2]}.out"));
            StringAssert.Contains(selectLog, "4 of 4 jobs done");
            StringAssert.Contains(selectLog, "chosen: " + _inProcess!.Chosen);
            AssertSameAsInProcess(folder);
        }
        finally
        {
            // Only daemons this test started are stopped.
            if (!wasRunning) Bash($"'{slurm}/slurm-ci.sh' down", 120);
        }
    }

    private static string Logs(string folder)
        => Directory.Exists(Path.Combine(folder, "logs"))
            ? string.Concat(Directory.GetFiles(Path.Combine(folder, "logs")).Order().Select(f => $"\n--- {Path.GetFileName(f)}\n{Tail(File.ReadAllText(f))}"))
            : " (no logs)";

    private static string Tail(string text) => text.Length <= 3000 ? text : "…" + text[^3000..];

    private static (int Code, string Output) Bash(string command, int seconds)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(seconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"'{command}' did not finish within {seconds} s");
        }
        return (process.ExitCode, output.Result + error.Result);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "XRight.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No XRight.sln above {AppContext.BaseDirectory}.");
    }
}
