using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Toy;

/// <summary>
/// A closed-form joint post-training problem on the softmax toy policy: a DPO objective on preference
/// rows against a fixed reference <c>θ_ref</c>, an SFT objective on demonstrations, their analytic
/// gradients (double precision, no tensors), and numerical estimates of their optima.
/// </summary>
/// <remarks>
/// <c>f_DPO(θ) = mean −log σ(h)</c> with <c>h = β[(log π_θ(y_w) − log π_ref(y_w)) − (log π_θ(y_l) − log π_ref(y_l))]</c>,
/// <c>f_SFT(θ) = mean −log π_θ(y|x)</c>. Both are convex in θ (the paper's Proposition A.2).
/// </remarks>
public sealed class ToyProblem
{
    private readonly ToyPreference[] _preferences;
    private readonly ToyDemonstration[] _demonstrations;
    private readonly double[] _referenceTheta;
    private readonly double[] _referenceLogRatios;   // log π_ref(y_w|x) − log π_ref(y_l|x) per preference row
    private readonly int _maxOutputs;

    /// <summary>A problem over the given data, reference parameters and β.</summary>
    /// <exception cref="ArgumentException">Empty data, prompts of different dimensions, or θ_ref of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">β is not positive and finite.</exception>
    public ToyProblem(IReadOnlyList<ToyPreference> preferences, IReadOnlyList<ToyDemonstration> demonstrations, IReadOnlyList<double> referenceTheta, double beta)
    {
        ArgumentNullException.ThrowIfNull(preferences);
        ArgumentNullException.ThrowIfNull(demonstrations);
        ArgumentNullException.ThrowIfNull(referenceTheta);
        if (preferences.Count == 0) throw new ArgumentException("A toy problem needs at least one preference row.", nameof(preferences));
        if (demonstrations.Count == 0) throw new ArgumentException("A toy problem needs at least one demonstration.", nameof(demonstrations));
        if (!(beta > 0) || !double.IsFinite(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"β must be a finite number > 0; found {beta}.");
        _preferences = [.. preferences];
        _demonstrations = [.. demonstrations];
        Dimension = _preferences[0].Prompt.Dimension;
        foreach (var prompt in _preferences.Select(p => p.Prompt).Concat(_demonstrations.Select(d => d.Prompt)))
        {
            if (prompt.Dimension != Dimension)
                throw new ArgumentException($"Every prompt must have features of dimension {Dimension}; found one of {prompt.Dimension}.", nameof(demonstrations));
        }
        if (referenceTheta.Count != Dimension || referenceTheta.Any(v => !double.IsFinite(v)))
            throw new ArgumentException($"θ_ref must have {Dimension} finite entries; found [{string.Join(", ", referenceTheta)}].", nameof(referenceTheta));
        _referenceTheta = [.. referenceTheta];
        _referenceLogRatios = _preferences.Select(p => LogRatio(p, _referenceTheta)).ToArray();
        _maxOutputs = MaxOutputs(_preferences.Select(p => p.Prompt).Concat(_demonstrations.Select(d => d.Prompt)));
        Beta = beta;
    }

    /// <summary>Number of parameters.</summary>
    public int Dimension { get; }

    /// <summary>The DPO strength β.</summary>
    public double Beta { get; }

    /// <summary>The reference parameters θ_ref.</summary>
    public IReadOnlyList<double> ReferenceTheta => Array.AsReadOnly(_referenceTheta);

    /// <summary>The preference rows of <c>D_DPO</c>.</summary>
    public IReadOnlyList<ToyPreference> Preferences => Array.AsReadOnly(_preferences);

    /// <summary>The demonstrations of <c>D_SFT</c>.</summary>
    public IReadOnlyList<ToyDemonstration> Demonstrations => Array.AsReadOnly(_demonstrations);

    /// <summary><c>f_DPO(θ)</c>.</summary>
    public double Dpo(IReadOnlyList<double> theta)
    {
        var t = Vector(theta);
        Span<double> logProbabilities = Scratch(_maxOutputs, stackalloc double[StackLimit]);
        double sum = 0;
        for (int row = 0; row < _preferences.Length; row++) sum += ToyMath.Softplus(-Margin(t, row, logProbabilities));
        return sum / _preferences.Length;
    }

    /// <summary><c>∇f_DPO(θ) = mean −σ(−h)·∇h</c>, with <c>∇h = β(∇log π(y_w) − ∇log π(y_l))</c>.</summary>
    public double[] DpoGradient(IReadOnlyList<double> theta)
    {
        var t = Vector(theta);
        Span<double> logProbabilities = Scratch(_maxOutputs, stackalloc double[StackLimit]);
        var gradient = new double[Dimension];
        for (int row = 0; row < _preferences.Length; row++)
        {
            var p = _preferences[row];
            double weight = -ToyMath.Sigmoid(-Margin(t, row, logProbabilities)) * Beta / _preferences.Length;
            p.Prompt.AddScoreGradient(logProbabilities, p.Chosen, weight, gradient);
            p.Prompt.AddScoreGradient(logProbabilities, p.Rejected, -weight, gradient);
        }
        return gradient;
    }

    /// <summary><c>f_SFT(θ)</c>.</summary>
    public double Sft(IReadOnlyList<double> theta)
    {
        var t = Vector(theta);
        Span<double> logProbabilities = Scratch(_maxOutputs, stackalloc double[StackLimit]);
        double sum = 0;
        foreach (var d in _demonstrations)
        {
            d.Prompt.LogProbabilities(t, logProbabilities);
            sum -= logProbabilities[d.Target];
        }
        return sum / _demonstrations.Length;
    }

    /// <summary><c>∇f_SFT(θ) = mean −(φ_y − E_π[φ])</c>.</summary>
    public double[] SftGradient(IReadOnlyList<double> theta) => SftGradient(_demonstrations, Vector(theta), _maxOutputs);

    /// <summary>Both objectives at <paramref name="theta"/>.</summary>
    public ObjectivePair Evaluate(IReadOnlyList<double> theta) => new(Dpo(theta), Sft(theta));

    /// <summary>
    /// The ideal point <c>(f*_DPO, f*_SFT)</c>: each objective minimised on its own from <paramref name="start"/>.
    /// When an infimum is only approached at infinity (separable data) the estimate is its limit to
    /// about machine precision.
    /// </summary>
    public ObjectivePair EstimateIdealPoint(IReadOnlyList<double> start)
    {
        CheckTheta(start, nameof(start));
        return new(ToyMinimizer.Minimize(Dpo, DpoGradient, start).Value, ToyMinimizer.Minimize(Sft, SftGradient, start).Value);
    }

    /// <summary><c>f*_Mix,λ = min_θ λ f_DPO(θ) + (1−λ) f_SFT(θ)</c>, minimised from <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ outside [0, 1].</exception>
    public double EstimateMixOptimum(double lambda, IReadOnlyList<double> start)
    {
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, $"λ must be in [0, 1]; found {lambda}.");
        CheckTheta(start, nameof(start));
        return ToyMinimizer.Minimize(
            theta => lambda * Dpo(theta) + (1 - lambda) * Sft(theta),
            theta =>
            {
                var g = DpoGradient(theta);
                for (int i = 0; i < g.Length; i++) g[i] = lambda * g[i];
                ToyMath.AddScaled(g, 1 - lambda, SftGradient(theta));
                return g;
            },
            start).Value;
    }

    /// <summary>
    /// The reference policy of the DPO-first setting: SFT on the CHOSEN outputs of <paramref name="preferences"/>
    /// by gradient descent for <paramref name="steps"/> steps from <paramref name="start"/>.
    /// </summary>
    /// <returns>θ_ref.</returns>
    public static double[] FitReference(IReadOnlyList<ToyPreference> preferences, IReadOnlyList<double> start, ToyOptimizerOptions optimizer, int steps)
    {
        ArgumentNullException.ThrowIfNull(preferences);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.Validate();
        if (preferences.Count == 0) throw new ArgumentException("Fitting a reference needs at least one preference row.", nameof(preferences));
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var chosen = preferences.Select(p => new ToyDemonstration(p.Prompt, p.Chosen)).ToArray();
        int dimension = chosen[0].Prompt.Dimension;
        if (chosen.Any(d => d.Prompt.Dimension != dimension))
            throw new ArgumentException($"Every prompt must have features of dimension {dimension}.", nameof(preferences));
        if (start.Count != dimension) throw new ArgumentException($"The start must have {dimension} entries; found {start.Count}.", nameof(start));
        var theta = start.ToArray();
        for (int step = 0; step < steps; step++) optimizer.Step(theta, SftGradient(chosen, theta, MaxOutputs(chosen.Select(d => d.Prompt))));
        return theta;
    }

    // h = β[(log π_θ(y_w) − log π_ref(y_w)) − (log π_θ(y_l) − log π_ref(y_l))], grouped as log-ratios;
    // leaves the policy's log-probabilities of the row's prompt in logProbabilities.
    private double Margin(double[] theta, int row, Span<double> logProbabilities)
    {
        var p = _preferences[row];
        p.Prompt.LogProbabilities(theta, logProbabilities);
        return Beta * (logProbabilities[p.Chosen] - logProbabilities[p.Rejected] - _referenceLogRatios[row]);
    }

    private static double LogRatio(ToyPreference p, IReadOnlyList<double> theta)
    {
        var logProbabilities = p.Prompt.LogProbabilities(theta);
        return logProbabilities[p.Chosen] - logProbabilities[p.Rejected];
    }

    private static double[] SftGradient(IReadOnlyList<ToyDemonstration> demonstrations, double[] theta, int maxOutputs)
    {
        Span<double> logProbabilities = Scratch(maxOutputs, stackalloc double[StackLimit]);
        var gradient = new double[theta.Length];
        foreach (var d in demonstrations)
        {
            d.Prompt.LogProbabilities(theta, logProbabilities);
            d.Prompt.AddScoreGradient(logProbabilities, d.Target, -1.0 / demonstrations.Count, gradient);
        }
        return gradient;
    }

    private const int StackLimit = 32;

    private static int MaxOutputs(IEnumerable<ToyPrompt> prompts) => prompts.Max(p => p.OutputCount);

    // Log-probabilities of one prompt live on the stack unless a prompt has unusually many outputs.
    private static Span<double> Scratch(int length, Span<double> stack) => length <= stack.Length ? stack[..length] : new double[length];

    private double[] Vector(IReadOnlyList<double> theta, string name = "theta")
    {
        CheckTheta(theta, name);
        return theta as double[] ?? [.. theta];
    }

    private void CheckTheta(IReadOnlyList<double> theta, string name = "theta")
    {
        ArgumentNullException.ThrowIfNull(theta, name);
        if (theta.Count != Dimension)
            throw new ArgumentException($"θ must have {Dimension} entries; found {theta.Count}.", name);
    }
}
