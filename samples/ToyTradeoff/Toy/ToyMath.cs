namespace XRight.Toy;

/// <summary>Numerically stable scalar and vector helpers for the closed-form toy objectives.</summary>
internal static class ToyMath
{
    /// <summary><c>log(1 + e^x)</c> without overflow for large |x|.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    /// <summary><c>σ(x) = 1 / (1 + e^{−x})</c> without overflow.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    public static double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Count; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary><c>target += scale · x</c>.</summary>
    public static void AddScaled(double[] target, double scale, IReadOnlyList<double> x)
    {
        for (int i = 0; i < target.Length; i++) target[i] += scale * x[i];
    }
}
