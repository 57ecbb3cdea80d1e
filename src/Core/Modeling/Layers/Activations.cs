using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling.Layers;

/// <summary>The MLP activations named by <c>hidden_act</c>.</summary>
internal static class Activations
{
    public static Func<Tensor, Tensor> Get(string hiddenAct) => hiddenAct switch
    {
        "gelu" => x => F.gelu(x),
        // gelu_new, gelu_fast and gelu_pytorch_tanh are all the tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).
        "gelu_new" or "gelu_fast" or "gelu_pytorch_tanh" => x => F.gelu(x, GELU.Approximate.tanh),
        "relu" => x => F.relu(x),
        "silu" => x => F.silu(x),
        _ => throw new NotSupportedException($"hidden_act '{hiddenAct}' is not supported; supported: {string.Join(", ", CausalLmConfig.SupportedActivations)}."),
    };
}
