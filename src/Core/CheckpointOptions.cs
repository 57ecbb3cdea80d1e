namespace XRight;

/// <summary>Where and how often a run saves checkpoints, and which one it resumes from. Default: no checkpoints.</summary>
public sealed record CheckpointOptions
{
    /// <summary>Folder for checkpoints; null for none.</summary>
    [NotInFingerprint("where files go does not change the arithmetic")]
    public string? Directory { get; init; }

    /// <summary>Write a checkpoint every this many steps (0: only at the end). Default: 0.</summary>
    [NotInFingerprint("how often state is saved does not change the arithmetic")]
    public int Interval { get; init; }

    /// <summary>How many checkpoints to keep (the newest). Default: 2.</summary>
    [NotInFingerprint("how many files are kept does not change the arithmetic")]
    public int Keep { get; init; } = 2;

    /// <summary>A checkpoint folder to resume from; null to start fresh.</summary>
    [NotInFingerprint("the resumed run is the one being fingerprinted")]
    public string? ResumeFrom { get; init; }

    internal void Validate()
    {
        var check = new OptionCheck("Checkpoints");
        check.Require(Interval >= 0, nameof(Interval), Interval, "must be 0 or more");
        check.Require(Keep >= 1, nameof(Keep), Keep, "must be at least 1");
        if (ResumeFrom is not null && !System.IO.Directory.Exists(ResumeFrom))
            throw new DirectoryNotFoundException($"Checkpoints.ResumeFrom: checkpoint folder '{ResumeFrom}' does not exist.");
    }
}
