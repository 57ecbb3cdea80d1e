using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace XRight.Modeling.Layers;

/// <summary>
/// Makes the parameters of a model in its element type and on its device. With a generator it
/// initialises them as Hugging Face does (normal weights, zero biases, unit norms), drawing on the
/// CPU in float32 so that a seed gives the same weights everywhere; without one it leaves the
/// weight matrices uninitialised because a checkpoint is about to overwrite them.
/// </summary>
internal sealed class ParameterFactory(ScalarType dtype, Device device, Generator? generator, double initializerRange)
{
    public ScalarType Dtype { get; } = dtype;

    public Device Device { get; } = device;

    /// <summary>A weight drawn from N(0, initializer_range²), or uninitialised when loading.</summary>
    public Parameter Normal(params long[] shape)
    {
        using var scope = NewDisposeScope();
        var t = generator is null
            ? empty(shape, Dtype, Device)
            : empty(shape, ScalarType.Float32).normal_(0, initializerRange, generator).to(Dtype, Device);
        return Keep(t);
    }

    public Parameter Zeros(params long[] shape)
    {
        using var scope = NewDisposeScope();
        return Keep(zeros(shape, Dtype, Device));
    }

    public Parameter Ones(params long[] shape)
    {
        using var scope = NewDisposeScope();
        return Keep(ones(shape, Dtype, Device));
    }

    // Parameters belong to their module, never to a dispose scope the caller happens to have open.
    private static Parameter Keep(Tensor t) => (Parameter)new Parameter(t, requires_grad: true).DetachFromDisposeScope();
}
