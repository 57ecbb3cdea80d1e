namespace XRight.Training;

/// <summary>The DPO reference policy and the cache of its log-probabilities.</summary>
public sealed class ReferenceOptions
{
    /// <summary>Where π_ref comes from. Default: <see cref="ReferenceModelKind.TrainedOnChosen"/>.</summary>
    public ReferenceModelKind Kind { get; set; } = ReferenceModelKind.TrainedOnChosen;

    /// <summary>The reference model's folder, for <see cref="ReferenceModelKind.Folder"/>.</summary>
    public string? Folder { get; set; }

    /// <summary>SFT epochs on the chosen responses, for <see cref="ReferenceModelKind.TrainedOnChosen"/>. Default: 1.</summary>
    public int TrainingEpochs { get; set; } = 1;

    /// <summary>
    /// A file that keeps the reference log-probabilities between runs (a λ sweep computes them once).
    /// Entries are keyed by the reference's identity and each row's token ids, so a changed reference or
    /// tokenization is recomputed, never reused. Default: none (kept in memory for the run).
    /// </summary>
    public string? CacheFile { get; set; }

    /// <summary>
    /// A folder where the reference model is kept after it is built, so it can score new data after
    /// training (implicit rewards) and a later run with the same reference need not rebuild it. With
    /// LoRA only the reference's adapter is kept (it shares the policy's base weights); for
    /// <see cref="ReferenceModelKind.InitialModel"/> with LoRA nothing is, since the reference is the
    /// policy with its adapters disabled. Default: none.
    /// </summary>
    public string? ModelFolder { get; set; }
}
