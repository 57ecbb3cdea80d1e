namespace XRight.Training.Reference;

/// <summary>How a kept reference model is stored.</summary>
public enum ReferenceModelForm
{
    /// <summary>The policy with its LoRA adapters disabled (the initial model); nothing is stored.</summary>
    PolicyWithoutAdapters,

    /// <summary>A LoRA adapter (PEFT layout) over the policy's base weights.</summary>
    Adapter,

    /// <summary>A whole Hugging Face model folder.</summary>
    Model,
}
