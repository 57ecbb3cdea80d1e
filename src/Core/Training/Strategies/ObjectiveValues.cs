namespace XRight.Training.Strategies;

/// <summary>The two objectives evaluated on the current batches.</summary>
/// <param name="Dpo">DPO loss of the current preference batch.</param>
/// <param name="Sft">SFT loss of the current instruction batch.</param>
public readonly record struct ObjectiveValues(double Dpo, double Sft);
