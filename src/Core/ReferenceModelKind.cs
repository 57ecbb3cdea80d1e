namespace XRight;

/// <summary>Where the frozen DPO reference policy π_ref comes from.</summary>
public enum ReferenceModelKind
{
    /// <summary>
    /// The base model after SFT on the CHOSEN responses of the preference data (the paper's DPO-first
    /// setting and the reference code). The default.
    /// </summary>
    TrainedOnChosen,

    /// <summary>The model as training starts (with LoRA: the base with adapters disabled).</summary>
    InitialModel,

    /// <summary>A Hugging Face folder given in <see cref="ReferenceOptions.Folder"/>.</summary>
    Folder,

    /// <summary>
    /// The policy as it is when the first DPO step is about to run: for Sequential SFT→DPO, the
    /// SFT-stage model (the paper's SFT-first setting).
    /// </summary>
    SftStageModel,
}
