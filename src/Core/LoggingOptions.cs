namespace XRight;

/// <summary>
/// Training logs people look at: TensorBoard event files and completion samples. None of these change
/// what a run computes (the samples are generated without gradients, in evaluation mode, with their own
/// seeded generators), so a checkpoint may be resumed with other logging settings. Default: no TensorBoard
/// log, no samples.
/// </summary>
public sealed record LoggingOptions
{
    /// <summary>
    /// Folder of the TensorBoard event files; null for none. Each run of the trainer writes to its own
    /// subfolder, which TensorBoard shows as a run: <c>training</c> (the main run), <c>optimum-dpo</c> and
    /// <c>optimum-sft</c> (the f* estimates), <c>reference</c> (the SFT run of the reference model). A
    /// Pareto sweep puts each candidate under a subfolder of its name. Open with
    /// <c>tensorboard --logdir &lt;folder&gt;</c>.
    /// </summary>
    [NotInFingerprint("where the log goes does not change the arithmetic")]
    public string? TensorBoardDirectory { get; init; }

    /// <summary>
    /// At each held-out evaluation, generate completions of this many held-out prompts (the first
    /// instruction prompts of the evaluation set; the first preference prompts when there are no
    /// instruction rows), as TRL's completion-logging callback does. 0 for none. Default: 0.
    /// </summary>
    [NotInFingerprint("samples are generated without gradients and with their own seeded generators; the run's arithmetic is unchanged")]
    public int CompletionSamples { get; init; }

    /// <summary>How the samples are generated. Default: greedy, at most 64 new tokens.</summary>
    [NotInFingerprint("samples are generated without gradients and with their own seeded generators; the run's arithmetic is unchanged")]
    public GenerationOptions SampleGeneration { get; init; } = new() { MaxNewTokens = 64 };

    internal void Validate()
    {
        var check = new OptionCheck("Logging");
        check.Require(TensorBoardDirectory is null || !string.IsNullOrWhiteSpace(TensorBoardDirectory), nameof(TensorBoardDirectory), TensorBoardDirectory,
            "must be a folder name, or null for no TensorBoard log");
        check.Require(CompletionSamples >= 0, nameof(CompletionSamples), CompletionSamples, "must be 0 or more");
        check.Require(SampleGeneration is not null, nameof(SampleGeneration), SampleGeneration, "must not be null");
        try
        {
            SampleGeneration!.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Logging.SampleGeneration: {e.Message}", nameof(SampleGeneration), e);
        }
    }
}
