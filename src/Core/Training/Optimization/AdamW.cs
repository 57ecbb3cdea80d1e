using TorchSharp;
using static TorchSharp.torch;

namespace XRight.Training.Optimization;

/// <summary>
/// AdamW with decoupled weight decay, the same update as <c>torch.optim.AdamW</c> (no amsgrad).
/// Written here rather than taken from TorchSharp so that its whole state is plain tensors this library
/// can checkpoint and restore bit for bit.
/// </summary>
internal sealed class AdamW : IDisposable
{
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly Dictionary<(ScalarType, string), Tensor> _momentumWeights = [];

    public AdamW(IEnumerable<TorchSharp.Modules.Parameter> parameters, double beta1, double beta2, double epsilon, double weightDecay)
    {
        _parameters = parameters.ToArray();
        if (_parameters.Count == 0) throw new ArgumentException("AdamW needs at least one trainable parameter.", nameof(parameters));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        using var _ = no_grad();
        _expAvg = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _expAvgSq = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }

    /// <summary>Updates taken so far (drives the bias corrections).</summary>
    public long StepCount { get; private set; }

    public IReadOnlyList<TorchSharp.Modules.Parameter> Parameters => _parameters;

    /// <summary>One update with learning rate <paramref name="learningRate"/> from the parameters' current gradients.</summary>
    /// <remarks>
    /// Each pass over the state costs a full read and write of it, so the update takes as few as it can:
    /// m ← lerp(m, g, 1 − β1) (one pass instead of a scale and an add), and the bias correction of v is
    /// moved out of the denominator: (lr / c1)·m / (√v / c2 + ε) = (lr·c2 / c1)·m / (√v + ε·c2), which
    /// drops a division pass. Equal to torch's update up to float rounding.
    /// </remarks>
    public void Step(double learningRate)
    {
        StepCount++;
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepCount);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
        double stepSize = learningRate * biasCorrection2Sqrt / biasCorrection1;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i];
            var g = p.grad;
            if (g is null) continue;
            if (WeightDecay != 0) p.mul_(1 - learningRate * WeightDecay);
            _expAvg[i].lerp_(g, MomentumWeight(g));
            _expAvgSq[i].mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
            var denominator = _expAvgSq[i].sqrt().add_(Epsilon * biasCorrection2Sqrt);
            p.addcdiv_(_expAvg[i], denominator, value: -stepSize);
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

    /// <summary>The moment estimates by name, for checkpoints (views of the live state; do not dispose).</summary>
    public IReadOnlyDictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>();
        for (int i = 0; i < _parameters.Count; i++)
        {
            state[$"exp_avg.{i}"] = _expAvg[i];
            state[$"exp_avg_sq.{i}"] = _expAvgSq[i];
        }
        return state;
    }

    /// <summary>Restores moments and step count saved by <see cref="StateTensors"/>.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long stepCount)
    {
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            _expAvg[i].copy_(Require(state, $"exp_avg.{i}", _expAvg[i]));
            _expAvgSq[i].copy_(Require(state, $"exp_avg_sq.{i}", _expAvgSq[i]));
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
        foreach (var t in _momentumWeights.Values) t.Dispose();
    }
}
