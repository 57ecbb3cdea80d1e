namespace XRight.Toy;

/// <summary>
/// Gradient descent with Armijo backtracking and step growth, for the smooth convex toy objectives.
/// The step doubles after each accepted move, so objectives whose infimum lies at infinity (a
/// logistic loss on separable data) still approach it geometrically fast.
/// </summary>
internal static class ToyMinimizer
{
    private const double Armijo = 1e-4;
    private const double SmallestStep = 1e-30;

    /// <summary>Runs until the gradient vanishes, no step decreases the value, or <paramref name="maxIterations"/> is reached.</summary>
    /// <returns>The last point and its value.</returns>
    public static (double[] Theta, double Value) Minimize(Func<double[], double> f, Func<double[], double[]> gradient, IReadOnlyList<double> start, int maxIterations = 5000)
    {
        var x = start.ToArray();
        double fx = f(x), step = 1;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            var g = gradient(x);
            double squaredNorm = ToyMath.Dot(g, g);
            if (squaredNorm == 0) break;
            while (true)
            {
                var candidate = x.ToArray();
                ToyMath.AddScaled(candidate, -step, g);
                double fc = f(candidate);
                if (fc <= fx - Armijo * step * squaredNorm)
                {
                    (x, fx) = (candidate, fc);
                    step *= 2;
                    break;
                }
                step /= 2;
                if (step < SmallestStep) return (x, fx);   // no representable decrease left: converged
            }
        }
        return (x, fx);
    }
}
