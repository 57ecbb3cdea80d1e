namespace XRight.Selection.Jobs;

/// <summary>What a job of a sweep computes.</summary>
public enum SweepJobKind
{
    /// <summary>The DPO reference the candidates share (its log-probabilities and kept model).</summary>
    Reference,

    /// <summary>The f* estimate: a DPO-only and an SFT-only run.</summary>
    Optimum,

    /// <summary>One candidate of the sweep (a strategy at a λ, or a Sequential baseline).</summary>
    Candidate,
}

/// <summary>One job of a sweep's manifest.</summary>
/// <param name="Index">The job's position in the manifest (the scheduler's array index).</param>
/// <param name="Id">A file-safe name, unique in the sweep ("reference", "optimum" or the candidate's slug).</param>
/// <param name="Kind">What the job computes.</param>
/// <param name="Name">A readable name ("f* estimate", "ALRIGHT λ=0.5").</param>
/// <param name="Key">
/// The content key: a hash of the options, the data's token ids, the base model's identity and the keys of the
/// jobs it depends on. A finished job with the same key is never run again.
/// </param>
/// <param name="DependsOn">The ids of the jobs whose results this one needs.</param>
public sealed record SweepJob(int Index, string Id, SweepJobKind Kind, string Name, string Key, IReadOnlyList<string> DependsOn);

/// <summary>The manifest of a sweep run job by job (<see cref="SweepJobs.ManifestFileName"/> in its folder).</summary>
/// <param name="Format">The manifest's format version.</param>
/// <param name="Jobs">Every job, by index; a job depends only on jobs before it.</param>
public sealed record SweepManifest(int Format, IReadOnlyList<SweepJob> Jobs)
{
    /// <summary>The indexes of the candidate jobs (a scheduler's array over candidates).</summary>
    public IReadOnlyList<int> CandidateIndexes => [.. Jobs.Where(j => j.Kind == SweepJobKind.Candidate).Select(j => j.Index)];

    /// <summary>The indexes of the jobs before the candidates (reference, f*).</summary>
    public IReadOnlyList<int> PrepareIndexes => [.. Jobs.Where(j => j.Kind != SweepJobKind.Candidate).Select(j => j.Index)];
}

/// <summary>Where a job stands.</summary>
public enum SweepJobState
{
    /// <summary>Not started, or stopped (killed, canceled) without a result; the next worker resumes it.</summary>
    Pending,

    /// <summary>A live worker holds the job's claim.</summary>
    Running,

    /// <summary>Finished with the manifest's content key.</summary>
    Done,

    /// <summary>The last attempt failed; its error is kept until a rerun finishes it.</summary>
    Failed,
}

/// <summary>A job's state in the sweep's folder.</summary>
/// <param name="Job">The job.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Worker">The worker that holds it, finished it or failed it ("host:pid"), or null.</param>
/// <param name="Error">The error of a failed job, or null.</param>
/// <param name="Reused">For a done job: its result was found in the folder from an earlier sweep with the same key rather than computed by the job.</param>
public sealed record SweepJobStatus(SweepJob Job, SweepJobState State, string? Worker, string? Error, bool Reused);

/// <summary>What <see cref="SweepJobs.Run"/> did.</summary>
public enum SweepJobOutcome
{
    /// <summary>The job ran here and finished.</summary>
    Completed,

    /// <summary>The job had already finished with the same key (here or by another worker): nothing ran.</summary>
    AlreadyDone,
}
