using TorchSharp;

namespace XRight.Modeling;

/// <summary>Where a model lives, in which element type, and how new weights are drawn.</summary>
public sealed class ModelOptions
{
    /// <summary>Element type of the weights. Default: <see cref="ModelDtype.Float32"/>.</summary>
    public ModelDtype Dtype { get; init; } = ModelDtype.Float32;

    /// <summary>The device the weights live on. Default: the CPU.</summary>
    public torch.Device Device { get; init; } = torch.CPU;

    /// <summary>
    /// Seed of the initialisation of new weights (<see cref="CausalLm.Create"/>): the same seed gives
    /// the same weights on every device, since they are drawn on the CPU. Default: 42.
    /// </summary>
    public int Seed { get; init; } = 42;
}
