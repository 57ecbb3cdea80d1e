namespace XRight.Training.Optimization;

/// <summary>The learning rate at each step of a run of known length.</summary>
internal sealed class LearningRateSchedule(LearningRateScheduleKind kind, double peak, int warmupSteps, int totalSteps)
{
    /// <summary>The rate for 0-based step <paramref name="step"/>.</summary>
    public double At(int step)
    {
        if (kind == LearningRateScheduleKind.Constant) return peak;
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        int decaySteps = Math.Max(1, totalSteps - warmupSteps);
        double progress = Math.Min(1.0, (double)(step - warmupSteps) / decaySteps);
        return peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
