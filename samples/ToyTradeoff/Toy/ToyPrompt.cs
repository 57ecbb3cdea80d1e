namespace XRight.Toy;

/// <summary>
/// A prompt <c>x</c> of the toy policy with the feature vectors <c>φ_{y,x}</c> of its possible outputs;
/// the policy is the softmax <c>π_θ(y|x) ∝ exp(θᵀφ_{y,x})</c>.
/// </summary>
public sealed class ToyPrompt
{
    private readonly double[][] _features;

    /// <summary>A prompt whose output <c>y</c> (0-based) has features <c>outputFeatures[y]</c>.</summary>
    /// <exception cref="ArgumentException">Fewer than two outputs, vectors of different or zero length, or non-finite features.</exception>
    public ToyPrompt(params IReadOnlyList<IReadOnlyList<double>> outputFeatures)
    {
        ArgumentNullException.ThrowIfNull(outputFeatures);
        if (outputFeatures.Count < 2)
            throw new ArgumentException($"A toy prompt needs at least 2 outputs; found {outputFeatures.Count}.", nameof(outputFeatures));
        _features = new double[outputFeatures.Count][];
        for (int y = 0; y < outputFeatures.Count; y++)
        {
            var phi = outputFeatures[y] ?? throw new ArgumentNullException(nameof(outputFeatures), $"Features of output {y} are null.");
            if (phi.Count == 0 || phi.Count != outputFeatures[0].Count)
                throw new ArgumentException($"Every output needs a feature vector of the same non-zero length; output {y} has {phi.Count}, output 0 has {outputFeatures[0].Count}.", nameof(outputFeatures));
            if (phi.Any(v => !double.IsFinite(v)))
                throw new ArgumentException($"Features of output {y} must be finite.", nameof(outputFeatures));
            _features[y] = [.. phi];
        }
    }

    /// <summary>Length of θ and of every feature vector.</summary>
    public int Dimension => _features[0].Length;

    /// <summary>Number of possible outputs.</summary>
    public int OutputCount => _features.Length;

    /// <summary>The feature vector <c>φ_{y,x}</c> of output <paramref name="output"/>.</summary>
    public IReadOnlyList<double> Features(int output) => Array.AsReadOnly(_features[CheckOutput(output)]);

    /// <summary><c>log π_θ(y|x)</c> for output <paramref name="output"/>.</summary>
    public double LogProbability(IReadOnlyList<double> theta, int output)
    {
        CheckTheta(theta);
        return LogProbabilities(theta)[CheckOutput(output)];
    }

    /// <summary>Log-softmax of the scores <c>θᵀφ_y</c> over all outputs.</summary>
    internal double[] LogProbabilities(IReadOnlyList<double> theta)
    {
        var logProbabilities = new double[_features.Length];
        LogProbabilities(theta as double[] ?? [.. theta], logProbabilities);
        return logProbabilities;
    }

    /// <summary>Log-softmax of the scores into <paramref name="logProbabilities"/> (loops, no allocation: the toy runs take millions of these).</summary>
    internal void LogProbabilities(double[] theta, Span<double> logProbabilities)
    {
        double max = double.NegativeInfinity;
        for (int y = 0; y < _features.Length; y++)
        {
            double score = 0;
            var phi = _features[y];
            for (int i = 0; i < phi.Length; i++) score += theta[i] * phi[i];
            logProbabilities[y] = score;
            max = Math.Max(max, score);
        }
        double sum = 0;
        for (int y = 0; y < _features.Length; y++) sum += Math.Exp(logProbabilities[y] - max);
        double logNormalizer = max + Math.Log(sum);
        for (int y = 0; y < _features.Length; y++) logProbabilities[y] -= logNormalizer;
    }

    /// <summary>Adds <c>scale · ∇_θ log π_θ(y|x) = scale · (φ_y − E_π[φ])</c> to <paramref name="gradient"/>.</summary>
    internal void AddScoreGradient(ReadOnlySpan<double> logProbabilities, int output, double scale, double[] gradient)
    {
        var target = _features[output];
        for (int i = 0; i < gradient.Length; i++) gradient[i] += scale * target[i];
        for (int y = 0; y < _features.Length; y++)
        {
            double weight = -scale * Math.Exp(logProbabilities[y]);
            var phi = _features[y];
            for (int i = 0; i < gradient.Length; i++) gradient[i] += weight * phi[i];
        }
    }

    internal int CheckOutput(int output, string name = "output")
    {
        if (output < 0 || output >= _features.Length)
            throw new ArgumentOutOfRangeException(name, output, $"The prompt has outputs 0..{_features.Length - 1}; found {output}.");
        return output;
    }

    internal void CheckTheta(IReadOnlyList<double> theta, string name = "theta")
    {
        ArgumentNullException.ThrowIfNull(theta, name);
        if (theta.Count != Dimension)
            throw new ArgumentException($"θ must have {Dimension} entries to match the features; found {theta.Count}.", name);
    }
}
