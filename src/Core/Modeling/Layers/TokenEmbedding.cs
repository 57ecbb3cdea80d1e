using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace XRight.Modeling.Layers;

/// <summary>A token embedding table (<c>weight</c> [vocab, hidden]), initialised like Hugging Face's.</summary>
internal sealed class TokenEmbedding : nn.Module
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    public TokenEmbedding(long vocabSize, long hiddenSize, ParameterFactory factory) : base(nameof(TokenEmbedding))
    {
        _weight = factory.Normal(vocabSize, hiddenSize);
        RegisterComponents();
    }

    public Parameter Weight => _weight;

    /// <summary>[B, T] token ids to [B, T, hidden] vectors.</summary>
    public Tensor Forward(Tensor inputIds)
    {
        var rows = _weight.index_select(0, inputIds.reshape(-1));
        return rows.view(inputIds.shape[0], inputIds.shape[1], _weight.shape[1]);
    }
}
