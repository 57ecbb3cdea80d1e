using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Training.Optimization;

/// <summary>
/// AdamW with decoupled weight decay, the same update as <c>torch.optim.AdamW</c> (no amsgrad), with
/// global-norm clipping folded into the update. Written here rather than taken from TorchSharp so that
/// its whole state is plain tensors this library can checkpoint and restore bit for bit.
/// </summary>
/// <remarks>
/// <para>
/// With master weights (mixed precision), every trainable parameter whose element type is not float32 or
/// float64 gets a float32 master copy: the moments are float32 and shaped like it, the update is applied to
/// the master from the gradient converted to float32, and the parameter (the copy the forward pass uses)
/// is then set to the master rounded to its own type. Without master weights the moments have the
/// parameter's type, as before.
/// </para>
/// <para>
/// A float32 master or parameter on the CPU is updated by <see cref="FusedAdamWKernel"/> in one pass over
/// its memory; anything else (CUDA, half-precision state) by a short sequence of in-place tensor operations.
/// </para>
/// </remarks>
internal sealed class AdamW : IDisposable
{
    private readonly TorchSharp.Modules.Parameter[] _parameters;
    private readonly Tensor?[] _masters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly Dictionary<(ScalarType, string), Tensor> _momentumWeights = [];

    /// <param name="parameters">The parameters to update.</param>
    /// <param name="beta1">β1.</param>
    /// <param name="beta2">β2.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="weightDecay">Decoupled weight decay λ.</param>
    /// <param name="masterWeights">Keep a float32 master copy of every parameter that is not float32 or float64.</param>
    /// <param name="initialMasters">
    /// Starting values of the masters, one per parameter in order (null entries: the parameter's own values);
    /// used when the parameters were just rounded from float32 weights that the masters should keep exactly.
    /// </param>
    public AdamW(IEnumerable<TorchSharp.Modules.Parameter> parameters, double beta1, double beta2, double epsilon, double weightDecay,
        bool masterWeights = false, IReadOnlyList<Tensor?>? initialMasters = null)
    {
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0) throw new ArgumentException("AdamW needs at least one trainable parameter.", nameof(parameters));
        if (initialMasters is not null && initialMasters.Count != _parameters.Length)
            throw new ArgumentException($"AdamW: {initialMasters.Count} initial masters for {_parameters.Length} parameters.", nameof(initialMasters));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        using var _ = no_grad();
        _masters = new Tensor?[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (!masterWeights || p.dtype is ScalarType.Float32 or ScalarType.Float64) continue;
            var start = initialMasters?[i] ?? p;
            if (!start.shape.SequenceEqual(p.shape))
                throw new ArgumentException($"AdamW: initial master {i} has shape [{string.Join(",", start.shape)}], its parameter [{string.Join(",", p.shape)}].", nameof(initialMasters));
            _masters[i] = start.detach().to(ScalarType.Float32, p.device, copy: true).contiguous().DetachFromDisposeScope();
        }
        _expAvg = _parameters.Select((p, i) => zeros_like(_masters[i] ?? p).DetachFromDisposeScope()).ToArray();
        _expAvgSq = _parameters.Select((p, i) => zeros_like(_masters[i] ?? p).DetachFromDisposeScope()).ToArray();
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }

    /// <summary>
    /// Whether float32 CPU state is updated by <see cref="FusedAdamWKernel"/> (default) or by the sequence of
    /// tensor operations every device runs. Both give the same update up to float rounding; the switch is
    /// there for the benchmark and the tests that compare the two.
    /// </summary>
    public bool UseFusedKernel { get; set; } = true;

    /// <summary>True when at least one parameter has a float32 master copy.</summary>
    public bool HasMasterWeights => _masters.Any(m => m is not null);

    /// <summary>Updates taken so far (drives the bias corrections).</summary>
    public long StepCount { get; private set; }

    public IReadOnlyList<TorchSharp.Modules.Parameter> Parameters => _parameters;

    /// <summary>The float32 master copy of parameter <paramref name="index"/>, or null when it has none (a live view; do not dispose).</summary>
    public Tensor? Master(int index) => _masters[index];

    /// <summary>
    /// The global L2 norm of the gradients times <paramref name="gradientScale"/> (the inverse loss scale, or 1),
    /// as <c>torch.nn.utils.clip_grad_norm_</c> measures it: a 0-d float32 tensor on the device (no host
    /// read). Zero when no parameter has a gradient; infinite or NaN when a gradient is.
    /// </summary>
    public Tensor GradientNorm(double gradientScale = 1.0)
    {
        using var _ = no_grad();
        var grads = _parameters.Select(p => p.grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return zeros(Array.Empty<long>(), ScalarType.Float32, _parameters[0].device);
        using var scope = NewDisposeScope();
        var total = stack(grads.Select(g => g.to_type(ScalarType.Float32).norm()).ToArray()).norm();
        if (gradientScale != 1.0) total = total * gradientScale;
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>One update with learning rate <paramref name="learningRate"/> from the parameters' current gradients (no clipping).</summary>
    public void Step(double learningRate) => Step(learningRate, gradientNorm: null, maxNorm: 0);

    /// <summary>
    /// One update with learning rate <paramref name="learningRate"/>. The gradients are first multiplied by
    /// <paramref name="gradientScale"/> (the inverse loss scale) and, when <paramref name="maxNorm"/> &gt; 0, by
    /// min(1, maxNorm / (‖g‖ + 1e-6)) with ‖g‖ = <paramref name="gradientNorm"/> (from <see cref="GradientNorm"/>),
    /// as <c>clip_grad_norm_</c> scales them. The gradients themselves may be changed.
    /// </summary>
    /// <remarks>
    /// Each pass over the state costs a full read and write of it, so the update takes as few as it can:
    /// m ← lerp(m, g, 1 − β1), and the bias correction of v is moved out of the denominator:
    /// (lr / c1)·m / (√v / c2 + ε) = (lr·c2 / c1)·m / (√v + ε·c2). Equal to torch's update up to float rounding.
    /// </remarks>
    public void Step(double learningRate, Tensor? gradientNorm, double maxNorm, double gradientScale = 1.0)
    {
        StepCount++;
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepCount);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
        double stepSize = learningRate * biasCorrection2Sqrt / biasCorrection1;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // The clip coefficient as clip_grad_norm_ computes it (float32, on the device), times the inverse loss scale.
        Tensor? coefficient = null;
        if (maxNorm > 0)
        {
            if (gradientNorm is null) throw new ArgumentNullException(nameof(gradientNorm), "Clipping needs the gradient norm.");
            coefficient = (maxNorm / (gradientNorm.to_type(ScalarType.Float32) + 1e-6)).clamp_max(1.0);
            if (gradientScale != 1.0) coefficient = coefficient * gradientScale;
        }
        else if (gradientScale != 1.0)
        {
            coefficient = tensor((float)gradientScale, ScalarType.Float32, _parameters[0].device);
        }
        float? hostCoefficient = null;
        var scalars = new FusedAdamWKernel.Scalars(
            GradientScale: 1f,
            Decay: (float)(1 - learningRate * WeightDecay),
            MomentumWeight: (float)(1 - Beta1),
            Beta2: (float)Beta2,
            OneMinusBeta2: (float)(1 - Beta2),
            EpsilonTerm: (float)(Epsilon * biasCorrection2Sqrt),
            NegativeStepSize: (float)-stepSize);
        int threads = Math.Max(1, torch.get_num_threads());
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var g = p.grad;
            if (g is null) continue;
            var master = _masters[i];
            var target = master ?? p;
            // The master is updated from the gradient in float32.
            var gradient = master is not null && g.dtype != ScalarType.Float32 ? g.to_type(ScalarType.Float32) : g;
            if (UseFusedKernel && FusedAdamWKernel.Applies(target, gradient, _expAvg[i], _expAvgSq[i]))
            {
                // One host read of the coefficient for the whole step (free on the CPU, where the kernel runs).
                hostCoefficient ??= coefficient is null ? 1f : coefficient.item<float>();
                FusedAdamWKernel.Step(target, gradient, _expAvg[i], _expAvgSq[i], scalars with { GradientScale = hostCoefficient.Value }, threads);
            }
            else
            {
                if (coefficient is not null)
                {
                    var c = coefficient.to_type(gradient.dtype);
                    gradient = ReferenceEquals(gradient, g) ? g.mul_(c) : gradient.mul_(c);
                }
                if (WeightDecay != 0) target.mul_(1 - learningRate * WeightDecay);
                _expAvg[i].lerp_(gradient, MomentumWeight(gradient));
                _expAvgSq[i].mul_(Beta2).addcmul_(gradient, gradient, value: 1 - Beta2);
                var denominator = _expAvgSq[i].sqrt().add_(Epsilon * biasCorrection2Sqrt);
                target.addcdiv_(_expAvg[i], denominator, value: -stepSize);
            }
            if (master is not null) p.copy_(master);
        }
    }

    // lerp_ takes its weight as a tensor of the state's element type and device; one of each, made once.
    private Tensor MomentumWeight(Tensor like)
    {
        var key = (like.dtype, like.device.ToString());
        if (!_momentumWeights.TryGetValue(key, out var weight))
            _momentumWeights[key] = weight = tensor(1 - Beta1, like.dtype, like.device).DetachFromDisposeScope();
        return weight;
    }

    /// <summary>Drops the gradients (set to none, as torch does by default).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            p.grad = null;
            g.Dispose();
        }
    }

    /// <summary>
    /// The state by name, for checkpoints (views of the live state; do not dispose): the moments
    /// (<c>exp_avg.i</c>, <c>exp_avg_sq.i</c>) and the float32 masters (<c>master.i</c>) where there are any.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>();
        for (int i = 0; i < _parameters.Length; i++)
        {
            state[$"exp_avg.{i}"] = _expAvg[i];
            state[$"exp_avg_sq.{i}"] = _expAvgSq[i];
            if (_masters[i] is { } master) state[$"master.{i}"] = master;
        }
        return state;
    }

    /// <summary>
    /// Restores moments, masters and step count saved by <see cref="StateTensors"/>. The parameters
    /// themselves are restored by the caller; a state without the masters this optimizer keeps (or with
    /// masters it does not keep) is refused, since resuming from it would not continue the same run.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long stepCount)
    {
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            _expAvg[i].copy_(Require(state, $"exp_avg.{i}", _expAvg[i]));
            _expAvgSq[i].copy_(Require(state, $"exp_avg_sq.{i}", _expAvgSq[i]));
            if (_masters[i] is { } master)
            {
                if (!state.ContainsKey($"master.{i}"))
                    throw new InvalidDataException($"The optimizer state has no float32 master copy 'master.{i}' for parameter {i}: it was not saved by a mixed-precision run.");
                master.copy_(Require(state, $"master.{i}", master));
            }
            else if (state.ContainsKey($"master.{i}"))
            {
                throw new InvalidDataException($"The optimizer state has a float32 master copy 'master.{i}', but this run keeps none: it was saved by a mixed-precision run.");
            }
        }
        StepCount = stepCount;
    }

    private static Tensor Require(IReadOnlyDictionary<string, Tensor> state, string name, Tensor like)
    {
        if (!state.TryGetValue(name, out var t))
            throw new InvalidDataException($"The optimizer state has no tensor '{name}'.");
        if (!t.shape.SequenceEqual(like.shape))
            throw new InvalidDataException($"Optimizer state '{name}' has shape [{string.Join(",", t.shape)}], the parameter has [{string.Join(",", like.shape)}].");
        return t;
    }

    public void Dispose()
    {
        foreach (var t in _expAvg) t.Dispose();
        foreach (var t in _expAvgSq) t.Dispose();
        foreach (var t in _masters) t?.Dispose();
        foreach (var t in _momentumWeights.Values) t.Dispose();
    }
}
