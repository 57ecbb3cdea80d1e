namespace XRight;

/// <summary>The DPO reference policy and the cache of its log-probabilities.</summary>
public sealed record ReferenceOptions
{
    /// <summary>Where π_ref comes from. Default: <see cref="ReferenceModelKind.TrainedOnChosen"/>.</summary>
    public ReferenceModelKind Kind { get; init; } = ReferenceModelKind.TrainedOnChosen;

    /// <summary>The reference model's folder, for <see cref="ReferenceModelKind.Folder"/>.</summary>
    public string? Folder { get; init; }

    /// <summary>SFT epochs on the chosen responses, for <see cref="ReferenceModelKind.TrainedOnChosen"/>. Default: 1.</summary>
    public int TrainingEpochs { get; init; } = 1;

    /// <summary>
    /// A file that keeps the reference log-probabilities between runs (a λ sweep computes them once).
    /// Entries are keyed by the reference's identity and each row's token ids, so a changed reference or
    /// tokenization is recomputed, never reused. Default: none (kept in memory for the run).
    /// </summary>
    [NotInFingerprint("where the cache is kept does not change the reference")]
    public string? CacheFile { get; init; }

    /// <summary>
    /// A folder where the reference model is kept after it is built, so it can score new data after
    /// training (implicit rewards) and a later run with the same reference need not rebuild it. With
    /// LoRA only the reference's adapter is kept (it shares the policy's base weights); for
    /// <see cref="ReferenceModelKind.InitialModel"/> with LoRA nothing is, since the reference is the
    /// policy with its adapters disabled. Default: none.
    /// </summary>
    [NotInFingerprint("where the reference is kept does not change it")]
    public string? ModelFolder { get; init; }

    internal void Validate()
    {
        var check = new OptionCheck("Reference");
        check.Require(Enum.IsDefined(Kind), nameof(Kind), Kind, "must be a known kind");
        check.Require(TrainingEpochs >= 1, nameof(TrainingEpochs), TrainingEpochs, "must be at least 1");
        if (Kind == ReferenceModelKind.Folder && string.IsNullOrWhiteSpace(Folder))
            throw new ArgumentException("Reference.Folder must name a model folder when Reference.Kind is Folder.", "Reference.Folder");
    }
}
