using TorchSharp;
using static TorchSharp.torch;

namespace XRight.GpuCheck;

/// <summary>
/// How close a device result must be to the CPU float32 reference: element-wise
/// |actual − reference| ≤ Atol + Rtol·|reference| (as torch.allclose), for all but at most
/// <see cref="AllowedFailingFraction"/> of the elements.
/// </summary>
internal sealed record Tolerance(double Atol, double Rtol, string Reason, double AllowedFailingFraction = 0)
{
    public static readonly Tolerance Exact = new(0, 0, "the same computation on the same device: must be bit for bit equal");
}

/// <summary>One quantity of one model, dtype and device, against the CPU float32 reference.</summary>
internal sealed record ComparisonResult
{
    public required string Model { get; init; }
    public required string Dtype { get; init; }
    public required string Quantity { get; init; }
    public long Elements { get; init; }
    public double MaxAbsError { get; init; }

    /// <summary>max |actual − reference| / |reference| over the elements whose |reference| exceeds the absolute tolerance (and 0).</summary>
    public double MaxRelError { get; init; }

    public double MeanAbsError { get; init; }

    /// <summary>max |actual − reference| / (atol + rtol·|reference|): at most 1 where an element passes (0 when equal).</summary>
    public double WorstToleranceRatio { get; init; }

    /// <summary>The element with the largest tolerance ratio: its flat index and both values.</summary>
    public long WorstIndex { get; init; }
    public double WorstReference { get; init; }
    public double WorstActual { get; init; }

    public long FailingElements { get; init; }
    public double Atol { get; init; }
    public double Rtol { get; init; }
    public double AllowedFailingFraction { get; init; }
    public required string ToleranceReason { get; init; }
    public bool Passed { get; init; }
    public string? Note { get; init; }

    /// <summary>Compares two tensors of the same shape (any device and floating type).</summary>
    public static ComparisonResult Of(string model, string dtype, string quantity, Tensor reference, Tensor actual, Tolerance tolerance)
    {
        if (!reference.shape.SequenceEqual(actual.shape))
            return new ComparisonResult
            {
                Model = model, Dtype = dtype, Quantity = quantity, ToleranceReason = tolerance.Reason, Atol = tolerance.Atol, Rtol = tolerance.Rtol,
                Passed = false, Note = $"shape [{string.Join(", ", actual.shape)}] differs from the reference's [{string.Join(", ", reference.shape)}]",
            };
        using var scope = NewDisposeScope();
        var r = reference.detach().to(ScalarType.Float64).cpu().flatten().data<double>().ToArray();
        var a = actual.detach().to(ScalarType.Float64).cpu().flatten().data<double>().ToArray();
        double maxAbs = 0, maxRel = 0, sumAbs = 0, worst = 0;
        long failing = 0, worstIndex = 0;
        bool nonFinite = false;
        for (int i = 0; i < r.Length; i++)
        {
            if (!double.IsFinite(a[i]) || !double.IsFinite(r[i]))
            {
                nonFinite = true;
                failing++;
                continue;
            }
            double error = Math.Abs(a[i] - r[i]), magnitude = Math.Abs(r[i]);
            double allowed = tolerance.Atol + tolerance.Rtol * magnitude;
            maxAbs = Math.Max(maxAbs, error);
            sumAbs += error;
            if (magnitude > tolerance.Atol && magnitude > 0) maxRel = Math.Max(maxRel, error / magnitude);
            double ratio = error == 0 ? 0 : allowed == 0 ? double.PositiveInfinity : error / allowed;
            if (ratio > worst || i == 0)
            {
                worst = Math.Max(worst, ratio);
                worstIndex = i;
            }
            if (error > allowed) failing++;
        }
        bool passed = !nonFinite && failing <= tolerance.AllowedFailingFraction * r.Length;
        return new ComparisonResult
        {
            Model = model,
            Dtype = dtype,
            Quantity = quantity,
            Elements = r.Length,
            MaxAbsError = maxAbs,
            MaxRelError = maxRel,
            MeanAbsError = r.Length == 0 ? 0 : sumAbs / r.Length,
            WorstToleranceRatio = worst,
            WorstIndex = worstIndex,
            WorstReference = r.Length == 0 ? 0 : r[worstIndex],
            WorstActual = a.Length == 0 ? 0 : a[worstIndex],
            FailingElements = failing,
            Atol = tolerance.Atol,
            Rtol = tolerance.Rtol,
            AllowedFailingFraction = tolerance.AllowedFailingFraction,
            ToleranceReason = tolerance.Reason,
            Passed = passed,
            Note = nonFinite ? "non-finite values" : null,
        };
    }
}
