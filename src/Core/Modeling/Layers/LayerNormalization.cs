using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling.Layers;

/// <summary>
/// LayerNorm (GPT-NeoX, OPT): (x − mean) / √(var + ε), then, when elementwise-affine, · <c>weight</c> + <c>bias</c>.
/// Without the affine part the module has no parameters.
/// </summary>
internal sealed class LayerNormalization : nn.Module
{
    [ComponentName(Name = "weight")]
    private Parameter? _weight;

    [ComponentName(Name = "bias")]
    private Parameter? _bias;

    private readonly long _size;
    private readonly double _eps;

    public LayerNormalization(long size, double eps, ParameterFactory factory, bool elementwiseAffine = true) : base(nameof(LayerNormalization))
    {
        _size = size;
        _weight = elementwiseAffine ? factory.Ones(size) : null;
        _bias = elementwiseAffine ? factory.Zeros(size) : null;
        _eps = eps;
        RegisterComponents();
    }

    public Tensor Forward(Tensor x) => F.layer_norm(x, [_size], _weight, _bias, _eps);
}
