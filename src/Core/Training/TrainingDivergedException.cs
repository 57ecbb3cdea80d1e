namespace XRight.Training;

/// <summary>A loss or gradient became NaN or infinite; training stopped before the bad update was applied.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(int step, string objective, string quantity, double value)
        : base($"Training diverged at step {step}: the {quantity} of the {objective} objective is {value}. " +
               "The update was not applied and no checkpoint was written for this step; lower the learning rate or check the data.")
    {
        Step = step;
        Objective = objective;
    }

    /// <summary>The 1-based optimizer step that failed.</summary>
    public int Step { get; }

    /// <summary>The objective(s) of that step: "SFT", "DPO" or "SFT+DPO".</summary>
    public string Objective { get; }
}
