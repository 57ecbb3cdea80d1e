using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling.Layers;

/// <summary>LayerNorm with an affine <c>weight</c> and <c>bias</c> (GPT-NeoX).</summary>
internal sealed class LayerNormalization : nn.Module
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    [ComponentName(Name = "bias")]
    private Parameter _bias;

    private readonly double _eps;

    public LayerNormalization(long size, double eps, ParameterFactory factory) : base(nameof(LayerNormalization))
    {
        _weight = factory.Ones(size);
        _bias = factory.Zeros(size);
        _eps = eps;
        RegisterComponents();
    }

    public Tensor Forward(Tensor x) => F.layer_norm(x, [_weight.shape[0]], _weight, _bias, _eps);
}
