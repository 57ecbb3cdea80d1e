using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace XRight.Modeling.Layers;

/// <summary>RMSNorm (Llama): x / √(mean(x²) + ε) · weight, with the statistics taken in (at least) float32.</summary>
internal sealed class RmsNorm : nn.Module
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    private readonly double _eps;

    public RmsNorm(long size, double eps, ParameterFactory factory) : base(nameof(RmsNorm))
    {
        _weight = factory.Ones(size);
        _eps = eps;
        RegisterComponents();
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // As Hugging Face: normalise in (at least) float32, return to the input type, then scale.
        var x32 = x.dtype == ScalarType.Float64 ? x : x.to(ScalarType.Float32);
        var normed = x32 * (x32.pow(2).mean([-1], keepdim: true) + _eps).rsqrt();
        return (_weight * normed.to(x.dtype)).MoveToOuterDisposeScope();
    }
}
