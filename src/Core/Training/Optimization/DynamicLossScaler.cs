namespace XRight.Training.Optimization;

/// <summary>
/// Dynamic loss scaling for float16 training, as <c>torch.amp.GradScaler</c> does it: the loss is multiplied
/// by <see cref="Scale"/> before the backward pass so that small gradients survive float16; the optimizer
/// divides it out. A step whose gradients overflowed (an infinite or NaN gradient norm) is skipped and the
/// scale halved; after <see cref="GrowthInterval"/> steps in a row without overflow the scale doubles.
/// The scale stays a power of two, so scaling and unscaling are exact.
/// </summary>
internal sealed class DynamicLossScaler
{
    /// <summary>Below this scale (float16's smallest subnormal) a gradient that still overflows is not an overflow that scaling can fix.</summary>
    public const double MinimumScale = 1.0 / (1 << 24);

    public DynamicLossScaler(double initialScale, int growthInterval)
    {
        if (!(initialScale > 0) || !double.IsFinite(initialScale) || Math.ScaleB(1, Math.ILogB(initialScale)) != initialScale)
            throw new ArgumentOutOfRangeException(nameof(initialScale), initialScale, "The initial loss scale must be a positive power of two.");
        if (growthInterval < 1) throw new ArgumentOutOfRangeException(nameof(growthInterval), growthInterval, "The growth interval must be at least 1.");
        Scale = initialScale;
        GrowthInterval = growthInterval;
    }

    /// <summary>The factor the loss is multiplied by before the backward pass.</summary>
    public double Scale { get; private set; }

    /// <summary>Steps without overflow since the scale last changed.</summary>
    public int GoodSteps { get; private set; }

    /// <summary>Steps in a row without overflow after which the scale doubles.</summary>
    public int GrowthInterval { get; }

    /// <summary>Steps skipped for overflowing gradients so far.</summary>
    public int SkippedSteps { get; private set; }

    /// <summary>True when <paramref name="gradientNorm"/> (of the scaled gradients, or unscaled: overflow is the same) shows an overflow.</summary>
    public static bool Overflowed(double gradientNorm) => !double.IsFinite(gradientNorm);

    /// <summary>Records a step: an overflow halves the scale (the step is skipped by the caller), else a growth interval completed doubles it.</summary>
    /// <exception cref="InvalidOperationException">The scale fell below <see cref="MinimumScale"/>: the gradients overflow at any scale.</exception>
    public void Update(bool overflow)
    {
        if (overflow)
        {
            Scale *= 0.5;
            GoodSteps = 0;
            SkippedSteps++;
            if (Scale < MinimumScale)
                throw new InvalidOperationException($"Float16 loss scaling: the gradients overflowed at every loss scale down to {Scale:G} (2^-25); the run has diverged.");
            return;
        }
        if (++GoodSteps >= GrowthInterval)
        {
            Scale *= 2;
            GoodSteps = 0;
        }
    }

    /// <summary>Restores the state of a checkpoint.</summary>
    public void Restore(double scale, int goodSteps, int skippedSteps)
    {
        if (!(scale > 0) || !double.IsFinite(scale))
            throw new InvalidDataException($"A checkpoint's loss scale must be positive and finite, found {scale}.");
        Scale = scale;
        GoodSteps = goodSteps;
        SkippedSteps = skippedSteps;
    }
}
