namespace XRight.Modeling.Lora;

/// <summary>The one on/off state shared by every adapter of a model, flipped by <see cref="CausalLm.DisableLora"/>.</summary>
internal sealed class LoraSwitch
{
    public bool Enabled { get; set; } = true;
}
