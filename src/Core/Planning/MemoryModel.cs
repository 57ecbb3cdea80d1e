using XRight.Modeling;
using XRight.Modeling.Layers;

namespace XRight.Planning;

/// <summary>
/// The byte counts behind <see cref="MemoryEstimate"/>: which weights train, which tensors each family's forward
/// pass saves for the backward pass (per token), and how the backward pass releases them.
/// </summary>
/// <remarks>
/// Autograd saves an operand only for a gradient that is needed: a linear layer keeps its input when its weight
/// trains (or, for a LoRA target, for the adapter's A), and its weight, not its input, when only the input needs a
/// gradient; LayerNorm keeps its input and two float32 statistics per token; RMSNorm keeps its float32 input and
/// one statistic, and its normalised value when its weight trains; GELU and SiLU keep their input, ReLU its output,
/// a product both factors; the rotary mixing keeps only the shared angles, so the rotated queries and keys are new
/// tensors that SDPA keeps; SDPA (the fused kernel, as the training path runs it without a mask) keeps query, key,
/// value, its output and a float32 log-sum-exp per head and token. A view keeps its whole base alive (GPT-NeoX's
/// value is a view of the fused projection). Under grouped-query attention keys and values are repeated to all
/// heads before SDPA, so SDPA keeps the repeated copies.
/// </remarks>
internal sealed class MemoryModel
{
    private const long Float32 = 4;
    private const long Int64 = 8;

    private readonly ModelLayout _layout;
    private readonly CausalLmConfig _c;
    private readonly LoraOptions? _lora;
    private readonly HashSet<string> _targets;
    private readonly MemoryPrecision _precision;
    private readonly bool _full;
    private readonly long _s; // bytes of an activation (and of a frozen or working weight)

    public MemoryModel(ModelLayout layout, LoraOptions? lora, MemoryPrecision precision)
    {
        _layout = layout;
        _c = layout.Config;
        _lora = lora;
        _targets = lora is null ? [] : layout.LoraTargets(lora);
        _precision = precision;
        _full = lora is null;
        _s = precision == MemoryPrecision.Float32 ? 4 : 2;
    }

    private bool Lora(LinearShape l) => _targets.Contains(l.Name);

    /// <summary>The head trains neither its weight nor an adapter, so the scoring keeps no logits.</summary>
    private bool FrozenHead => !_full && (_layout.Head is not { } untied || !Lora(untied));

    private long AdapterParameters(LinearShape l) => Lora(l) ? (long)_lora!.Rank * (l.In + l.Out) : 0;

    // ---- weights, gradients, optimizer state ----

    private IEnumerable<LinearShape> AllLinears() =>
        Enumerable.Range(0, _c.NumHiddenLayers).SelectMany(_layout.LayerLinears).Concat(_layout.OtherLinears).Concat(_layout.Head is null ? [] : [_layout.Head]);

    public long BaseParameters => _layout.TotalParameters;

    public long Adapters => AllLinears().Sum(AdapterParameters);

    /// <summary>Bytes of the gradient of a trainable base weight: float32, or the bfloat16 working copy's.</summary>
    private long BaseGradientBytes => _s;

    public ResidentMemory Resident(MemoryPlanSettings settings)
    {
        long adapters = Adapters, base_ = BaseParameters;
        long trainable = _full ? base_ : adapters;
        long weights = base_ * _s + adapters * Float32;
        long masters = _full && _precision != MemoryPrecision.Float32 ? base_ * Float32 : 0;
        long optimizer = 2 * Float32 * trainable;
        long reference = settings.Reference switch
        {
            ReferenceMemory.CachedLogProbs => settings.PreferencePairs * MemoryEstimate.ReferenceCacheBytesPerPair,
            ReferenceMemory.FrozenCopy => base_ * _s,
            _ => 0,
        };
        return new ResidentMemory(base_ + adapters, trainable, weights, masters, optimizer, reference);
    }

    private long LayerGradientBytes(int layer) => _full
        ? _layout.LayerParameters * BaseGradientBytes
        : _layout.LayerLinears(layer).Sum(AdapterParameters) * Float32;

    private long LinearGradientBytes(LinearShape? l) => l is null ? 0 : _full ? l.Parameters * BaseGradientBytes : AdapterParameters(l) * Float32;

    // The head's gradient appears first in the backward pass (with the final norm's and OPT's project_out);
    // the embedding's (and project_in's) last. A tied head's gradient is the embedding's, made at the head.
    private long HeadSideGradientBytes =>
        LinearGradientBytes(_layout.Head) + (_full ? _layout.FinalNormParameters * BaseGradientBytes : 0)
        + LinearGradientBytes(_layout.OtherLinears.FirstOrDefault(l => l.Name.EndsWith("project_out", StringComparison.Ordinal)))
        + (_full && _layout.Head is null ? _layout.EmbeddingParameters * BaseGradientBytes : 0);

    private long EmbeddingSideGradientBytes =>
        (_full && _layout.Head is not null ? _layout.EmbeddingParameters * BaseGradientBytes : 0)
        + LinearGradientBytes(_layout.OtherLinears.FirstOrDefault(l => l.Name.EndsWith("project_in", StringComparison.Ordinal)));

    // AdamW's step makes each weight's denominator √v + ε as a float32 temporary and releases them all when the
    // step ends (src/Core/Training/Optimization/AdamW.cs): one float32 copy of every trainable weight.
    private long OptimizerStepTemporaryBytes => (_full ? BaseParameters : Adapters) * Float32;

    // ---- activations ----

    /// <summary>
    /// Bytes per token a linear layer's input adds to the saved tensors: the input itself when the base weight
    /// trains (unless <paramref name="alreadyHeld"/>: another operation saves the same tensor), and for each LoRA
    /// target the adapter's float32 input (the same tensor in float32, a copy per target otherwise) and its rank-r
    /// intermediate.
    /// </summary>
    private long SavedInput(long width, bool alreadyHeld, params LinearShape[] group)
    {
        long bytes = 0;
        int adapted = group.Count(Lora);
        if (_full && !alreadyHeld) bytes += width * _s;
        if (adapted > 0)
        {
            if (_s == Float32) { if (!_full && !alreadyHeld) bytes += width * Float32; }
            else bytes += adapted * width * Float32;
            bytes += adapted * (long)_lora!.Rank * Float32;
        }
        return bytes;
    }

    private long LayerNormSaved(bool needed) => needed ? _c.HiddenSize * _s + 2 * Float32 : 0;

    private long RmsNormSaved(bool needed) => needed ? _c.HiddenSize * Float32 + Float32 + (_full ? _c.HiddenSize * _s : 0) : 0;

    private long AttentionSaved(long qkvBytesPerToken) => qkvBytesPerToken + (long)_c.NumAttentionHeads * _c.HeadDim * _s + _c.NumAttentionHeads * Float32;

    /// <summary>Bytes per token one decoder layer saves for its backward pass, and whether its output needs a gradient.</summary>
    public (long Bytes, bool OutputRequiresGrad) LayerSaved(int layer, bool inputRequiresGrad)
    {
        var l = _layout.LayerLinears(layer);
        long h = _c.HiddenSize, i = _c.IntermediateSize, hd = (long)_c.NumAttentionHeads * _c.HeadDim;
        bool inReq = inputRequiresGrad;
        long b = 0;
        switch (_c.Architecture)
        {
            case CausalLmArchitecture.GptNeoX:
            {
                var (qkv, dense, up, down) = (l[0], l[1], l[2], l[3]);
                bool ln1Req = inReq || _full;
                b += LayerNormSaved(ln1Req);
                b += SavedInput(h, false, qkv);
                bool qkvReq = ln1Req || Lora(qkv);
                // The fused projection (kept whole by the value view), the rotated queries and keys.
                if (qkvReq) b += AttentionSaved((3 * hd + 2 * hd) * _s);
                b += SavedInput(hd, false, dense);
                bool attnReq = qkvReq || Lora(dense);
                bool ln2Req;
                if (_c.UseParallelResidual)
                {
                    ln2Req = inReq || _full; // the same input as the first norm: only its statistics are new
                    if (ln2Req) b += LayerNormSaved(true) - h * _s;
                }
                else
                {
                    ln2Req = inReq || attnReq || _full;
                    b += LayerNormSaved(ln2Req);
                }
                b += SavedInput(h, false, up);
                bool uReq = ln2Req || Lora(up);
                if (uReq) b += i * _s; // GELU's input
                b += SavedInput(i, false, down);
                return (b, inReq || attnReq || uReq || Lora(down));
            }
            case CausalLmArchitecture.Llama:
            {
                var (q, k, v, o, gate, upProj, down) = (l[0], l[1], l[2], l[3], l[4], l[5], l[6]);
                bool n1Req = inReq || _full;
                b += RmsNormSaved(n1Req);
                b += SavedInput(h, false, q, k, v);
                bool qkvReq = n1Req || Lora(q) || Lora(k) || Lora(v);
                // Rotated queries, keys (repeated to every head under GQA) and values.
                if (qkvReq) b += AttentionSaved(3 * hd * _s);
                b += SavedInput(hd, false, o);
                bool attnReq = qkvReq || Lora(o);
                bool n2Req = inReq || attnReq || _full;
                b += RmsNormSaved(n2Req);
                b += SavedInput(h, false, gate, upProj);
                bool gateReq = n2Req || Lora(gate), upReq = n2Req || Lora(upProj);
                if (gateReq) b += i * _s; // SiLU's input
                if (upReq) b += i * _s;   // SiLU's output, kept by the product
                if (gateReq) b += i * _s; // the up projection, kept by the product
                b += SavedInput(i, false, down);
                return (b, inReq || attnReq || gateReq || upReq || Lora(down));
            }
            case CausalLmArchitecture.Opt:
            {
                var (k, v, q, outProj, fc1, fc2) = (l[0], l[1], l[2], l[3], l[4], l[5]);
                if (_c.DoLayerNormBefore)
                {
                    bool ln1Req = inReq || _full;
                    b += LayerNormSaved(ln1Req);
                    b += SavedInput(h, false, q, k, v);
                    bool qkvReq = ln1Req || Lora(q) || Lora(k) || Lora(v);
                    if (qkvReq) b += AttentionSaved(3 * hd * _s);
                    b += SavedInput(hd, false, outProj);
                    bool attnReq = qkvReq || Lora(outProj);
                    bool ln2Req = inReq || attnReq || _full;
                    b += LayerNormSaved(ln2Req);
                    b += SavedInput(h, false, fc1);
                    bool fc1Req = ln2Req || Lora(fc1);
                    if (fc1Req) b += i * _s; // ReLU's output, also fc2's input
                    b += SavedInput(i, fc1Req, fc2);
                    return (b, inReq || attnReq || fc1Req || Lora(fc2));
                }
                else
                {
                    b += SavedInput(h, false, q, k, v);
                    bool qkvReq = inReq || _full || Lora(q) || Lora(k) || Lora(v);
                    if (qkvReq) b += AttentionSaved(3 * hd * _s);
                    b += SavedInput(hd, false, outProj);
                    bool ln1Req = qkvReq || Lora(outProj);
                    b += LayerNormSaved(ln1Req);
                    b += SavedInput(h, false, fc1);
                    bool fc1Req = ln1Req || Lora(fc1);
                    if (fc1Req) b += i * _s;
                    b += SavedInput(i, fc1Req, fc2);
                    bool ln2Req = ln1Req || fc1Req || Lora(fc2);
                    b += LayerNormSaved(ln2Req);
                    return (b, ln2Req);
                }
            }
            default:
                throw new NotSupportedException($"The memory planner does not know the layout of {_c.Architecture} models.");
        }
    }

    /// <summary>
    /// Bytes per token of the gradient temporaries while one layer back-propagates: the incoming and the residual
    /// gradient, plus the widest branch's (the MLP's two — SwiGLU's three — intermediate gradients, or SDPA's
    /// query/key/value gradients and the fused-projection gradient they are gathered into).
    /// </summary>
    public long LayerBackwardTemporaries()
    {
        long h = _c.HiddenSize, i = _c.IntermediateSize, hd = (long)_c.NumAttentionHeads * _c.HeadDim;
        long mlp = (_c.Architecture == CausalLmArchitecture.Llama ? 3 : 2) * i;
        return (2 * h + Math.Max(mlp, 6 * hd)) * _s;
    }

    /// <summary>Bytes per token saved after the last layer (final norm, OPT's project_out) and before the first (OPT's project_in).</summary>
    private long OutsideLayersSaved()
    {
        long h = _c.HiddenSize, e = _c.EmbeddingSize;
        long b = _c.Architecture switch
        {
            CausalLmArchitecture.Llama => RmsNormSaved(true),
            _ => _c.Architecture == CausalLmArchitecture.Opt && !_c.HasFinalNorm ? 0 : LayerNormSaved(true),
        };
        foreach (var l in _layout.OtherLinears) b += SavedInput(l.Name.EndsWith("project_in", StringComparison.Ordinal) ? e : h, false, l);
        return b;
    }

    private bool FirstLayerInputRequiresGrad => _full || _layout.OtherLinears.Any(l => l.Name.EndsWith("project_in", StringComparison.Ordinal) && Lora(l));

    /// <summary>
    /// Bytes per token of the batch's tensors: input ids, attention and response masks, positions (int64), and
    /// the rotary cos and sin; and per scored token, the three int64 index vectors of the scoring.
    /// </summary>
    private long BatchBytesPerToken => 4 * Int64 + (_c.Rotary is null ? 0 : 2L * _c.RotaryDim * _s);

    /// <summary>The peak of one step of <paramref name="objective"/> over <paramref name="sequences"/> sequences of <paramref name="length"/> tokens.</summary>
    public StepMemory Step(ObjectiveKind objective, int sequences, int length, int scoredPerSequence, bool checkpointing, bool accumulating)
    {
        long tokens = (long)sequences * length, scored = (long)sequences * scoredPerSequence;
        int layers = _c.NumHiddenLayers;
        long h = _c.HiddenSize, e = _c.EmbeddingSize, v = _c.VocabSize;

        var perLayer = new long[layers];
        bool req = FirstLayerInputRequiresGrad;
        for (int l = 0; l < layers; l++) (perLayer[l], req) = LayerSaved(l, req);
        var layerBytes = perLayer.Select(b => b * tokens).ToArray();
        // Under checkpointing a layer keeps only its input; its activations return while its backward runs.
        long keptPerLayer = h * _s * tokens;
        long batch = BatchBytesPerToken * tokens + 3 * Int64 * scored;
        long outside = OutsideLayersSaved() * tokens;
        long predictors, logits;
        if (FrozenHead)
        {
            // Scored in chunks (src/Core/Modeling/Layers/FrozenHeadLogProbs.cs): a chunk's logits, their float32
            // copy and the softmax temporaries live while the head runs; what stays is ∂ log π/∂h, [scored, e] in
            // float32, and the gradient the backward pass makes from it.
            predictors = 2 * Float32 * e * scored;
            logits = 3 * Float32 * v * Math.Min(scored, FrozenHeadLogProbs.RowsPerChunk(v));
        }
        else
        {
            long head = _layout.Head is { } untied ? SavedInput(e, false, untied) : e * _s;
            predictors = head * scored;
            logits = 4 * Float32 * v * scored;
        }
        long temporaries = LayerBackwardTemporaries() * tokens;

        var layerGradients = Enumerable.Range(0, layers).Select(LayerGradientBytes).ToArray();
        long headGradients = HeadSideGradientBytes, embeddingGradients = EmbeddingSideGradientBytes;
        long allGradients = headGradients + layerGradients.Sum() + embeddingGradients;
        long earlier = accumulating ? allGradients : 0; // gradients of earlier micro-batches already there

        long Held(int below) => checkpointing ? keptPerLayer * below : layerBytes.Take(below).Sum();

        // At the head: every layer's activations, the logits and their gradient temporaries, the head's gradient.
        long atHeadActivations = batch + Held(layers) + outside + predictors;
        long peak = atHeadActivations + logits + Math.Max(earlier, headGradients);
        long peakActivations = atHeadActivations, peakLogits = logits;
        long made = headGradients;
        for (int l = layers - 1; l >= 0; l--)
        {
            made += layerGradients[l];
            // Layer l back-propagates: the layers below still hold theirs; l's own (recomputed under
            // checkpointing) and the gradient temporaries are alive.
            long activations = batch + Held(l) + (checkpointing ? keptPerLayer : 0) + layerBytes[l] + temporaries;
            long state = activations + Math.Max(earlier, made);
            if (state > peak) (peak, peakActivations, peakLogits) = (state, activations, 0);
        }
        // The optimizer step: every gradient and AdamW's denominators.
        long atStep = allGradients + OptimizerStepTemporaryBytes;
        if (atStep > peak) (peak, peakActivations, peakLogits) = (atStep, 0, 0);
        return new StepMemory(objective, peak, peakActivations, peakLogits, allGradients);
    }
}
