using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling.Layers;

/// <summary>
/// One LoRA matrix (<c>lora_A</c> or <c>lora_B</c>) as a bias-free linear map x Wᵀ whose <c>weight</c> is
/// given. nn.Linear would first draw a default initialisation from torch's global generator, so merely
/// attaching (or loading) an adapter would change the caller's random numbers.
/// </summary>
internal sealed class LoraMatrix : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    /// <summary>A matrix holding <paramref name="initial"/> [out, in] (the tensor becomes the parameter).</summary>
    public LoraMatrix(Tensor initial) : base(nameof(LoraMatrix))
    {
        _weight = (Parameter)new Parameter(initial, requires_grad: true).DetachFromDisposeScope();
        RegisterComponents();
    }

    public Parameter Weight => _weight;

    public override Tensor forward(Tensor x) => F.linear(x, _weight);
}
