using TorchSharp;
using TorchSharp.Utils;
using XRight.Modeling.Layers;
using static TorchSharp.torch;

namespace XRight.Modeling.Llama;

/// <summary>SwiGLU MLP: <c>down_proj</c>(act(<c>gate_proj</c>(x)) ⊙ <c>up_proj</c>(x)).</summary>
internal sealed class LlamaMlp : nn.Module
{
    [ComponentName(Name = "gate_proj")]
    private readonly AdaptableLinear _gate;

    [ComponentName(Name = "up_proj")]
    private readonly AdaptableLinear _up;

    [ComponentName(Name = "down_proj")]
    private readonly AdaptableLinear _down;

    private readonly Func<Tensor, Tensor> _activation;

    public LlamaMlp(CausalLmConfig config, ParameterFactory factory) : base(nameof(LlamaMlp))
    {
        _gate = new AdaptableLinear(config.HiddenSize, config.IntermediateSize, config.MlpBias, factory);
        _up = new AdaptableLinear(config.HiddenSize, config.IntermediateSize, config.MlpBias, factory);
        _down = new AdaptableLinear(config.IntermediateSize, config.HiddenSize, config.MlpBias, factory);
        _activation = Activations.Get(config.HiddenAct);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return _down.Forward(_activation(_gate.Forward(x)) * _up.Forward(x)).MoveToOuterDisposeScope();
    }
}
