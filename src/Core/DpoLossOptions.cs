using System.Globalization;

namespace XRight;

/// <summary>Settings of the preference loss. Defaults are the paper's (β = 0.1, plain DPO).</summary>
public sealed record DpoLossOptions
{
    /// <summary>Strength β of the implicit KL regularisation towards the reference policy; must be positive. Default 0.1.</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>Which loss is applied to the margin. Default <see cref="DpoLossType.Sigmoid"/>.</summary>
    public DpoLossType LossType { get; init; } = DpoLossType.Sigmoid;

    /// <summary>
    /// Label smoothing ε of conservative DPO (cDPO): the probability that a preference label is flipped.
    /// In [0, 0.5); only for <see cref="DpoLossType.Sigmoid"/>. Default 0.
    /// </summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Throws when an option is outside its range or the combination is unsupported.</summary>
    /// <exception cref="ArgumentOutOfRangeException">β is not positive and finite, or ε is outside [0, 0.5).</exception>
    /// <exception cref="ArgumentException">Label smoothing is set for a loss other than <see cref="DpoLossType.Sigmoid"/>.</exception>
    public void Validate()
    {
        if (!(Beta > 0) || !double.IsFinite(Beta))
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, $"Dpo.{nameof(Beta)} must be a finite number > 0; found {Format(Beta)}.");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 0.5))
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, $"Dpo.{nameof(LabelSmoothing)} must be in [0, 0.5); found {Format(LabelSmoothing)}.");
        if (!Enum.IsDefined(LossType))
            throw new ArgumentOutOfRangeException(nameof(LossType), LossType, $"Dpo.{nameof(LossType)} has no loss {(int)LossType}.");
        if (LossType != DpoLossType.Sigmoid && LabelSmoothing != 0)
            throw new ArgumentException($"Dpo.{nameof(LabelSmoothing)} applies to the {nameof(DpoLossType.Sigmoid)} loss only; found {Format(LabelSmoothing)} with {LossType}.", nameof(LabelSmoothing));
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
