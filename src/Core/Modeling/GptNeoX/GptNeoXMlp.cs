using TorchSharp;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling.GptNeoX;

/// <summary>GPT-NeoX MLP: <c>dense_4h_to_h</c>(act(<c>dense_h_to_4h</c>(x))).</summary>
internal sealed class GptNeoXMlp : nn.Module
{
    [ComponentName(Name = "dense_h_to_4h")]
    private readonly AdaptableLinear _up;

    [ComponentName(Name = "dense_4h_to_h")]
    private readonly AdaptableLinear _down;

    private readonly Func<Tensor, Tensor> _activation;

    public GptNeoXMlp(CausalLmConfig config, ParameterFactory factory) : base(nameof(GptNeoXMlp))
    {
        _up = new AdaptableLinear(config.HiddenSize, config.IntermediateSize, config.MlpBias, factory);
        _down = new AdaptableLinear(config.IntermediateSize, config.HiddenSize, config.MlpBias, factory);
        _activation = Activations.Get(config.HiddenAct);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return _down.Forward(_activation(_up.Forward(x))).MoveToOuterDisposeScope();
    }
}
