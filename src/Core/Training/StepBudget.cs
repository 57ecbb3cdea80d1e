namespace XRight.Training;

/// <summary>
/// Optimizer steps per epoch of each objective: one epoch is one pass over that objective's batches,
/// and <see cref="BatchOptions.GradientAccumulationSteps"/> micro-batches make one step (a last, partial
/// step counts). The one place the trainer, the Sequential schedule and the reference's SFT run count steps.
/// </summary>
/// <param name="SftStepsPerEpoch">Steps of one pass over the instruction rows.</param>
/// <param name="DpoStepsPerEpoch">Steps of one pass over the preference rows.</param>
internal readonly record struct StepBudget(int SftStepsPerEpoch, int DpoStepsPerEpoch)
{
    /// <summary>The budget of <paramref name="instructionRows"/> instruction and <paramref name="preferenceRows"/> preference training rows.</summary>
    public static StepBudget Of(BatchOptions batches, int instructionRows, int preferenceRows) => new(
        StepsPerEpoch(instructionRows, batches.SftBatchSize, batches.GradientAccumulationSteps),
        StepsPerEpoch(preferenceRows, batches.DpoBatchSize, batches.GradientAccumulationSteps));

    /// <summary>Steps of <paramref name="epochs"/> SFT epochs.</summary>
    public int Sft(int epochs) => epochs * SftStepsPerEpoch;

    /// <summary>Steps of <paramref name="epochs"/> DPO epochs.</summary>
    public int Dpo(int epochs) => epochs * DpoStepsPerEpoch;

    /// <summary>
    /// Steps of the strategy the options name, before <see cref="StrategyOptions.MaxSteps"/>: for Sequential
    /// T_DPO DPO epochs plus T_SFT SFT epochs, for the joint strategies <see cref="StrategyOptions.Epochs"/>
    /// SFT epochs (the reference code's epoch; the preference loader cycles on its own).
    /// </summary>
    public int Uncapped(StrategyOptions strategy) => strategy.Kind == JointStrategy.Sequential
        ? Dpo(strategy.SequentialDpoEpochs) + Sft(strategy.SequentialSftEpochs)
        : Sft(strategy.Epochs);

    /// <summary><see cref="Uncapped"/> cut at <see cref="StrategyOptions.MaxSteps"/>.</summary>
    public int Total(StrategyOptions strategy) => strategy.MaxSteps is { } cap ? Math.Min(cap, Uncapped(strategy)) : Uncapped(strategy);

    private static int StepsPerEpoch(int rows, int batchSize, int accumulation)
    {
        int batches = (rows + batchSize - 1) / batchSize;
        return (batches + accumulation - 1) / accumulation;
    }
}
