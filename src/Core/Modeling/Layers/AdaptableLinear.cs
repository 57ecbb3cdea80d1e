using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using XRight.Modeling.Lora;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Modeling.Layers;

/// <summary>
/// A linear layer y = x Wᵀ + b (<c>weight</c> [out, in], optional <c>bias</c>) that can carry a LoRA
/// adapter: y += (α/r) · B A dropout(x), with <c>lora_A</c> [r, in] and <c>lora_B</c> [out, r] as child
/// modules so the adapter's parameter names are the PEFT names.
/// </summary>
/// <remarks>
/// Adapter weights are kept in (at least) float32 whatever the model's element type (as PEFT does by default),
/// so that low-precision base weights do not round away small adapter updates.
/// </remarks>
internal sealed class AdaptableLinear : nn.Module
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    [ComponentName(Name = "bias")]
    private Parameter? _bias;

    private LoraMatrix? _loraA;
    private LoraMatrix? _loraB;
    private double _scaling;
    private double _dropout;
    private LoraSwitch? _switch;

    public AdaptableLinear(long inFeatures, long outFeatures, bool hasBias, ParameterFactory factory) : base(nameof(AdaptableLinear))
    {
        _weight = factory.Normal(outFeatures, inFeatures);
        _bias = hasBias ? factory.Zeros(outFeatures) : null;
        RegisterComponents();
    }

    public Parameter Weight => _weight;

    public Parameter? Bias => _bias;

    public long InFeatures => _weight.shape[1];

    public long OutFeatures => _weight.shape[0];

    public bool HasLora => _loraA is not null;

    /// <summary>True while B·A is folded into <see cref="Weight"/>.</summary>
    public bool IsMerged { get; private set; }

    public Parameter LoraA => _loraA?.Weight ?? throw new InvalidOperationException("This layer has no LoRA adapter.");

    public Parameter LoraB => _loraB?.Weight ?? throw new InvalidOperationException("This layer has no LoRA adapter.");

    /// <summary>True when the forward adds an adapter's update (attached, not merged, switched on).</summary>
    public bool AdapterActive => _loraA is not null && !IsMerged && _switch!.Enabled;

    /// <summary>
    /// y = x Wᵀ + b (+ the adapter's update). <paramref name="outputUnread"/>: the caller reads only y's
    /// gradients, not its value (a checkpointed layer's recomputation, see <see cref="GradientOnlyLinear"/>),
    /// so the base product is skipped; the adapter's low-rank branch still runs, for its own graph.
    /// </summary>
    public Tensor Forward(Tensor x, bool outputUnread = false)
    {
        var y = outputUnread ? GradientOnlyLinear.Apply(x, _weight, _bias) : F.linear(x, _weight, _bias);
        if (!AdapterActive) return y;
        using var scope = NewDisposeScope();
        var h = x.to(_loraA!.Weight.dtype);
        if (_dropout > 0) h = F.dropout(h, _dropout, training);
        var update = _loraB!.forward(_loraA.forward(h)) * _scaling;
        return (y + update.to(y.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>Adds an adapter: A ~ U(−1/√in, 1/√in) (PEFT's Kaiming-uniform with a = √5), B = 0.</summary>
    public void AttachLora(int rank, double scaling, double dropout, LoraSwitch loraSwitch, Generator generator)
    {
        if (HasLora) throw new InvalidOperationException("This layer already has a LoRA adapter.");
        var adapterType = _weight.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        using (no_grad())
        using (NewDisposeScope())
        {
            // Drawn on the CPU in float32 from the adapter's own generator, as the base weights are.
            double bound = 1.0 / Math.Sqrt(InFeatures);
            var a = empty([rank, InFeatures], ScalarType.Float32).uniform_(-bound, bound, generator);
            _loraA = new LoraMatrix(a.to(adapterType, _weight.device));
            _loraB = new LoraMatrix(zeros([OutFeatures, rank], adapterType, _weight.device));
        }
        _scaling = scaling;
        _dropout = dropout;
        _switch = loraSwitch;
        register_module("lora_A", _loraA);
        register_module("lora_B", _loraB);
    }

    /// <summary>W += (α/r) B A, so the adapter costs nothing at inference.</summary>
    public void Merge()
    {
        if (!HasLora || IsMerged) return;
        using (no_grad()) using (NewDisposeScope()) _weight.add_(Delta());
        IsMerged = true;
    }

    /// <summary>W −= (α/r) B A: the base weight again, up to rounding.</summary>
    public void Unmerge()
    {
        if (!HasLora || !IsMerged) return;
        using (no_grad()) using (NewDisposeScope()) _weight.sub_(Delta());
        IsMerged = false;
    }

    /// <summary>A detached copy of W with the adapter's update folded in (whether or not it is merged or switched off).</summary>
    public Tensor MergedWeight()
    {
        if (!HasLora || IsMerged) return _weight.detach().clone();
        using var scope = NewDisposeScope();
        return (_weight.detach() + Delta()).MoveToOuterDisposeScope();
    }

    private Tensor Delta() => (_loraB!.Weight.detach().matmul(_loraA!.Weight.detach()) * _scaling).to(_weight.dtype);
}
