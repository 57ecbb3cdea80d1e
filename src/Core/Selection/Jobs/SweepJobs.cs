using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using XRight.IO;
using XRight.Training;

namespace XRight.Selection.Jobs;

/// <summary>
/// A <see cref="ParetoSweep"/> split into independent jobs for a scheduler's job array (Slurm, Kubernetes
/// Indexed Jobs) or several workers on one shared folder: the shared reference, the f* estimate and each
/// candidate. <see cref="Plan"/> writes the manifest (each job with its content key and dependencies),
/// <see cref="Run"/> runs one job, <see cref="Status"/> tells where every job stands and <see cref="Select"/>
/// analyses the finished candidates. Run job by job, a sweep gives the same candidates, front and choice as
/// <see cref="ParetoSweep.Run"/> with the same inputs, since each job runs the same step of it.
/// </summary>
/// <remarks>
/// <para>Each job has a claim file (<c>jobs/&lt;id&gt;.claim</c>) that its worker holds open with an exclusive lock
/// while it runs: a second worker never runs the same job, and the lock goes with the worker's process, so a
/// killed worker leaves no stale claim. A finished job leaves <c>jobs/&lt;id&gt;.done</c> (written atomically, with
/// its content key); a job whose marker has the same key is not run again. A failed job leaves
/// <c>jobs/&lt;id&gt;.failed</c> with its error. An interrupted candidate resumes from its checkpoints.</para>
/// <para>The claim relies on the file system's locks (flock): local file systems and NFS v4 honour them
/// between machines; a file system mounted without them (Lustre without <c>flock</c>) does not.</para>
/// </remarks>
public sealed class SweepJobs
{
    /// <summary>The manifest's file in the sweep's folder.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>The folder (in the sweep's folder) of the claim, done and failed markers.</summary>
    public const string JobsFolder = "jobs";

    private const int Format = 1;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    private readonly ParetoSweep _sweep;
    private readonly ParetoSweep.SweepContext _context;
    private readonly IReadOnlyList<SweepCandidatePlan> _plan;
    private readonly SweepManifest _manifest;

    /// <summary>The jobs of a sweep; <see cref="ParetoSweepOptions.WorkingDirectory"/> is the folder every worker shares.</summary>
    /// <param name="options">The sweep; its working directory must be given.</param>
    /// <param name="inputs">The base options, data, model factory and model identity (the same in every worker).</param>
    /// <param name="trainer">Trains one candidate and saves its model.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the working directory is missing.</exception>
    public SweepJobs(ParetoSweepOptions options, SweepInputs inputs, ISweepCandidateTrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.WorkingDirectory))
            throw new ArgumentException($"{options.GetType().Name}.WorkingDirectory must name the folder every worker of the sweep shares.", nameof(options));
        if (!options.Resume)
            throw new ArgumentException($"{options.GetType().Name}.Resume must be true for a sweep run job by job: its jobs hand their results on through the folder.", nameof(options));
        _sweep = new ParetoSweep(options);
        _context = _sweep.Start(inputs, trainer, progress: null, CancellationToken.None);
        _plan = _sweep.Plan(_context.Inputs.Options);
        _manifest = Compute();
    }

    /// <summary>The sweep's folder (full path).</summary>
    public string WorkingDirectory => _context.Work;

    /// <summary>The jobs these inputs give (what <see cref="Plan"/> writes).</summary>
    public SweepManifest Manifest => _manifest;

    /// <summary>How long a job waits for the jobs it depends on (or for another worker holding it). Default: 24 hours.</summary>
    public TimeSpan DependencyTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often a waiting job looks again. Default: 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>This process as a worker: "host:pid".</summary>
    public static string Worker { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Writes the manifest into the sweep's folder (atomically) and returns it.</summary>
    public SweepManifest Plan()
    {
        Directory.CreateDirectory(Path.Combine(_context.Work, JobsFolder));
        AtomicFile.WriteAllText(Path.Combine(_context.Work, ManifestFileName), JsonSerializer.Serialize(_manifest, Json));
        return _manifest;
    }

    /// <summary>Reads a sweep folder's manifest.</summary>
    /// <exception cref="FileNotFoundException">The folder has no manifest (the sweep was not planned).</exception>
    /// <exception cref="InvalidDataException">The manifest is unreadable.</exception>
    public static SweepManifest ReadManifest(string folder)
    {
        var path = Path.Combine(Path.GetFullPath(folder), ManifestFileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist: plan the sweep first.", path);
        try
        {
            var manifest = JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), Json);
            if (manifest?.Jobs is null || manifest.Format != Format) throw new InvalidDataException($"'{path}' is not a sweep manifest of format {Format}.");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is unreadable: {e.Message}", e);
        }
    }

    /// <summary>
    /// Runs job <paramref name="index"/> of the manifest: skips it when it is done with the same key, waits
    /// while another worker holds it, waits for the jobs it depends on, then runs it, resuming a candidate
    /// from its checkpoints, and marks it done.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The folder's manifest differs from these inputs (the config, data or base model changed since the
    /// plan), or a job this one depends on failed.
    /// </exception>
    /// <exception cref="TimeoutException">A job it depends on, or the worker holding it, did not finish within <see cref="DependencyTimeout"/>.</exception>
    public SweepJobOutcome Run(int index, IProgress<ParetoProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var job = Job(index);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsDone(job)) return SweepJobOutcome.AlreadyDone;
            using (var claim = TryClaim(job))
            {
                if (claim is not null)
                {
                    if (IsDone(job)) return SweepJobOutcome.AlreadyDone;
                    RunClaimed(job, progress, cancellationToken, deadline);
                    return SweepJobOutcome.Completed;
                }
            }
            if (deadline.Elapsed > DependencyTimeout)
                throw new TimeoutException($"Job {job.Index} '{job.Name}' is held by worker {Owner(job) ?? "(unknown)"} and did not finish within {DependencyTimeout}.");
            Thread.Sleep(PollInterval);
        }
    }

    /// <summary>Where every job of the manifest stands.</summary>
    public IReadOnlyList<SweepJobStatus> Status()
    {
        var list = new List<SweepJobStatus>(_manifest.Jobs.Count);
        foreach (var job in _manifest.Jobs)
        {
            if (ReadMarker<DoneMarker>(job, "done") is { } done && done.Key == job.Key)
            {
                list.Add(new SweepJobStatus(job, SweepJobState.Done, done.Worker, null, done.Reused));
                continue;
            }
            if (IsHeld(job))
            {
                list.Add(new SweepJobStatus(job, SweepJobState.Running, Owner(job), null, false));
                continue;
            }
            list.Add(ReadMarker<FailedMarker>(job, "failed") is { } failed && failed.Key == job.Key
                ? new SweepJobStatus(job, SweepJobState.Failed, failed.Worker, failed.Error, false)
                : new SweepJobStatus(job, SweepJobState.Pending, null, null, false));
        }
        return list;
    }

    /// <summary>Analyses the finished candidates: the front, the ideal point and the rule's choice.</summary>
    /// <exception cref="InvalidOperationException">A job is not done; the message lists every unfinished job and its state.</exception>
    /// <exception cref="UnsatisfiedSelectionRuleException">No candidate satisfies the rule's constraint.</exception>
    public ParetoSweepResult Select()
    {
        CheckManifest();
        var status = Status();
        var open = status.Where(s => s.State != SweepJobState.Done).ToList();
        if (open.Count > 0)
            throw new InvalidOperationException($"The sweep in '{_context.Work}' is not finished: {open.Count} of {status.Count} jobs are not done ("
                + string.Join("; ", open.Select(s => $"{s.Job.Index} '{s.Job.Name}': {s.State}{(s.Error is null ? "" : " — " + s.Error)}")) + ").");
        var optimum = _sweep.SavedOptimum(_context)
            ?? throw new InvalidOperationException($"The f* estimate in '{_context.Work}' is missing or belongs to other inputs although its job is marked done; run job {JobOf(SweepJobKind.Optimum)?.Index} again.");
        var candidates = new List<SelectionCandidate>();
        foreach (var (plan, job) in _plan.Zip(_manifest.Jobs.Where(j => j.Kind == SweepJobKind.Candidate)))
        {
            var candidate = _sweep.FinishedCandidate(_context, plan, optimum)
                ?? throw new InvalidOperationException($"The record or model of '{plan.Name}' in '{_context.Work}' is missing or belongs to other inputs although job {job.Index} is marked done; run it again.");
            int index = candidates.Count;
            candidates.Add(_sweep.RunBenchmarks(_context, plan, index, _plan.Count, optimum, candidate) with { Reused = status[job.Index].Reused });
        }
        bool optimumReused = JobOf(SweepJobKind.Optimum) is { } o && status[o.Index].Reused;
        return _sweep.Analyze(_context, candidates, optimum, optimumReused);
    }

    /// <summary>The job index a scheduler gives this process: SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs); null when neither is set.</summary>
    /// <exception cref="FormatException">The variable is set but not a non-negative integer; the message names it.</exception>
    public static int? IndexFromEnvironment()
    {
        foreach (var name in new[] { "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX" })
        {
            var value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                throw new FormatException($"The environment variable {name} is '{value}', not a job index (a non-negative integer).");
            return index;
        }
        return null;
    }

    private SweepManifest Compute()
    {
        var jobs = new List<SweepJob>();
        var shared = _context.Inputs.Options;
        string? referenceId = null, optimumId = null;
        var dependencyKeys = new List<string>();
        if (shared.Reference.Kind != ReferenceModelKind.SftStageModel)
        {
            referenceId = "reference";
            var key = ContentHash.Combine("job/reference", _context.Key("reference", shared));
            jobs.Add(new SweepJob(jobs.Count, referenceId, SweepJobKind.Reference, "reference", key, []));
            dependencyKeys.Add(key);
        }
        if (_sweep.EstimatesOptimum)
        {
            optimumId = "optimum";
            var key = ContentHash.Combine("job/optimum", _context.Key("optimum", shared));
            jobs.Add(new SweepJob(jobs.Count, optimumId, SweepJobKind.Optimum, "f* estimate", key, referenceId is null ? [] : [referenceId]));
            dependencyKeys.Add(key);
        }
        var given = string.Join("|", (_sweep.Options.DpoOptimum?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "estimated"),
            (_sweep.Options.SftOptimum?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "estimated"));
        IReadOnlyList<string> dependsOn = [.. new[] { referenceId, optimumId }.OfType<string>()];
        foreach (var plan in _plan)
        {
            var key = ContentHash.Combine([ "job/candidate", _context.Key("candidate-plan", plan.Options), "f*=" + given, .. dependencyKeys ]);
            jobs.Add(new SweepJob(jobs.Count, plan.Slug, SweepJobKind.Candidate, plan.Name, key, dependsOn));
        }
        return new SweepManifest(Format, jobs);
    }

    private SweepJob Job(int index)
    {
        CheckManifest();
        if (index < 0 || index >= _manifest.Jobs.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The sweep in '{_context.Work}' has jobs 0 … {_manifest.Jobs.Count - 1}; there is no job {index}.");
        return _manifest.Jobs[index];
    }

    // The folder's manifest must be the one these inputs give: else the workers would mix results of different sweeps.
    private void CheckManifest()
    {
        var saved = ReadManifest(_context.Work);
        if (saved.Jobs.Count != _manifest.Jobs.Count)
            throw new InvalidOperationException($"The manifest in '{_context.Work}' has {saved.Jobs.Count} jobs but these inputs give {_manifest.Jobs.Count}: the sweep's config changed since it was planned; plan it again (finished jobs with unchanged keys are kept).");
        foreach (var (a, b) in saved.Jobs.Zip(_manifest.Jobs))
            if (a.Id != b.Id || a.Key != b.Key)
                throw new InvalidOperationException($"Job {a.Index} '{a.Name}' of the manifest in '{_context.Work}' has key {a.Key}, but these inputs give '{b.Name}' with key {b.Key}: the config, data or base model changed since the sweep was planned; plan it again (finished jobs with unchanged keys are kept).");
    }

    private SweepJob? JobOf(SweepJobKind kind) => _manifest.Jobs.FirstOrDefault(j => j.Kind == kind);

    private void RunClaimed(SweepJob job, IProgress<ParetoProgress>? progress, CancellationToken cancellationToken, Stopwatch waited)
    {
        var started = DateTimeOffset.UtcNow;
        AtomicFile.WriteAllText(Marker(job, "owner"), Worker);
        try
        {
            RemoveTemporaries(job);
            foreach (var id in job.DependsOn) WaitFor(job, _manifest.Jobs.Single(j => j.Id == id), waited, cancellationToken);
            var context = _context with { Progress = progress, Cancellation = cancellationToken };
            int count = _plan.Count;
            bool reused;
            switch (job.Kind)
            {
                case SweepJobKind.Reference:
                    progress?.Report(new ParetoProgress("reference", -1, count, null, Reused: false));
                    new JointTrainer(context.Inputs.Options).BuildSharedReference(context.Inputs.CreateModel, context.Inputs.Data, context.Forward("reference", -1, count), cancellationToken);
                    reused = false;
                    break;
                case SweepJobKind.Optimum:
                    reused = _sweep.Optimum(context, count).Reused;
                    break;
                default:
                    int i = _plan.ToList().FindIndex(p => p.Slug == job.Id);
                    var optimum = _sweep.SavedOptimum(context)
                        ?? throw new InvalidOperationException($"Job {job.Index} '{job.Name}' needs the f* estimate, but '{Path.Combine(_context.Work, ParetoSweep.OptimumFileName)}' is missing or belongs to other inputs although its job is done; run job {JobOf(SweepJobKind.Optimum)?.Index} again.");
                    var candidate = _sweep.RunCandidate(context, _plan[i], i, count, optimum);
                    // Benchmarks run inside the candidate's job; selection only reads their cached results.
                    _sweep.RunBenchmarks(context, _plan[i], i, count, optimum, candidate);
                    reused = candidate.Reused;
                    break;
            }
            AtomicFile.WriteAllText(Marker(job, "done"), JsonSerializer.Serialize(new DoneMarker(job.Key, reused, Worker, started, DateTimeOffset.UtcNow), Json));
            File.Delete(Marker(job, "failed"));
        }
        catch (Exception e)
        {
            AtomicFile.WriteAllText(Marker(job, "failed"), JsonSerializer.Serialize(new FailedMarker(job.Key, $"{e.GetType().Name}: {e.Message}", Worker, DateTimeOffset.UtcNow), Json));
            throw;
        }
        finally
        {
            File.Delete(Marker(job, "owner"));
        }
    }

    private void WaitFor(SweepJob job, SweepJob dependency, Stopwatch waited, CancellationToken cancellationToken)
    {
        while (!IsDone(dependency))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsHeld(dependency) && ReadMarker<FailedMarker>(dependency, "failed") is { } failed && failed.Key == dependency.Key)
                throw new InvalidOperationException($"Job {job.Index} '{job.Name}' needs job {dependency.Index} '{dependency.Name}', which failed on {failed.Worker}: {failed.Error}. Run job {dependency.Index} again.");
            if (waited.Elapsed > DependencyTimeout)
                throw new TimeoutException($"Job {job.Index} '{job.Name}' needs job {dependency.Index} '{dependency.Name}', which is {(IsHeld(dependency) ? "still running on " + (Owner(dependency) ?? "another worker") : "not started")} after {DependencyTimeout}. Run job {dependency.Index} first (a scheduler's dependency, or another worker).");
            Thread.Sleep(PollInterval);
        }
    }

    private bool IsDone(SweepJob job) => ReadMarker<DoneMarker>(job, "done")?.Key == job.Key;

    private string Marker(SweepJob job, string suffix) => Path.Combine(_context.Work, JobsFolder, $"{job.Id}.{suffix}");

    private string? Owner(SweepJob job)
    {
        try { return File.Exists(Marker(job, "owner")) ? File.ReadAllText(Marker(job, "owner")) : null; }
        catch (IOException) { return null; }
    }

    private T? ReadMarker<T>(SweepJob job, string suffix) where T : class
    {
        var path = Marker(job, suffix);
        try { return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) : null; }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }

    // The claim: the job's lock file, opened exclusively (an flock on Unix, released with the process).
    private FileStream? TryClaim(SweepJob job)
    {
        var path = Marker(job, "claim");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    private bool IsHeld(SweepJob job)
    {
        if (!File.Exists(Marker(job, "claim"))) return false;
        using var claim = TryClaim(job);
        return claim is null;
    }

    // What a killed attempt of this job left half-written: temporary files and folders of its own outputs.
    private void RemoveTemporaries(SweepJob job)
    {
        var prefixes = job.Kind switch
        {
            SweepJobKind.Reference => new[] { (_context.Work, ".reference") },
            SweepJobKind.Optimum => [(_context.Work, "." + ParetoSweep.OptimumFileName)],
            _ => [(Path.Combine(_context.Work, "candidates"), "." + job.Id + "."), (Path.Combine(_context.Work, "candidates"), job.Id + ".replaced-")],
        };
        foreach (var (folder, prefix) in prefixes.Append((Path.Combine(_context.Work, JobsFolder), "." + job.Id + ".")))
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder, prefix + "*"))
            {
                var name = Path.GetFileName(entry);
                if (!name.EndsWith(".tmp", StringComparison.Ordinal) && !name.Contains(".replaced-", StringComparison.Ordinal)) continue;
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
        }
        if (job.Kind == SweepJobKind.Candidate)
        {
            var staging = Path.Combine(_context.Work, "candidates", ".staging");
            if (Directory.Exists(staging))
                foreach (var entry in Directory.EnumerateFileSystemEntries(staging, job.Id + "*"))
                    if (Path.GetFileName(entry) is var n && (n == job.Id || n.StartsWith(job.Id + ".", StringComparison.Ordinal)))
                    {
                        if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                        else File.Delete(entry);
                    }
            var checkpoints = Path.Combine(_context.Work, "checkpoints", job.Id);
            if (Directory.Exists(checkpoints))
                foreach (var entry in Directory.EnumerateFileSystemEntries(checkpoints, ".*.tmp", SearchOption.AllDirectories).ToList())
                {
                    if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                    else if (File.Exists(entry)) File.Delete(entry);
                }
        }
    }

    private sealed record DoneMarker(string Key, bool Reused, string Worker, DateTimeOffset Started, DateTimeOffset Finished);

    private sealed record FailedMarker(string Key, string Error, string Worker, DateTimeOffset Time);
}
