using System.Globalization;

namespace XRight.Toy;

/// <summary>
/// Plain gradient descent for the toy problems, <c>θ ← θ − α(∇f(θ) + wd·θ)</c> (weight decay as an L2
/// term, like SGD's <c>weight_decay</c>). Defaults are the paper's Figure 2 settings.
/// </summary>
public sealed record ToyOptimizerOptions
{
    /// <summary>Step size α; positive. Default 0.01.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Weight decay wd; zero or positive. Default 0.001.</summary>
    public double WeightDecay { get; init; } = 0.001;

    /// <summary>Throws when an option is outside its range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">α not positive and finite, or wd negative or not finite.</exception>
    public void Validate()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"Toy optimizer option {nameof(LearningRate)} must be a finite number > 0; found {LearningRate.ToString(CultureInfo.InvariantCulture)}.");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"Toy optimizer option {nameof(WeightDecay)} must be a finite number >= 0; found {WeightDecay.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>One descent step on <paramref name="theta"/> in place.</summary>
    internal void Step(double[] theta, IReadOnlyList<double> gradient)
    {
        for (int i = 0; i < theta.Length; i++) theta[i] -= LearningRate * (gradient[i] + WeightDecay * theta[i]);
    }
}
