namespace XRight.Training;

/// <summary>
/// The objectives and TRL-style metrics of a model on held-out data. Not sealed: the ML.NET layer's
/// evaluation result extends it with the optimality gaps rather than repeating its fields.
/// </summary>
/// <param name="FSft">Token-mean NLL of the instruction responses (f_SFT); NaN without instruction rows.</param>
/// <param name="FDpo">Mean DPO loss over the preference pairs (f_DPO); NaN without preference rows.</param>
/// <param name="SftTokenAccuracy">Share of response tokens the model ranks first.</param>
/// <param name="RewardAccuracy">Share of pairs whose implicit reward prefers the chosen response.</param>
/// <param name="RewardMargin">Mean of reward(chosen) − reward(rejected).</param>
/// <param name="ChosenReward">Mean implicit reward β·(log π − log π_ref) of the chosen responses.</param>
/// <param name="RejectedReward">Mean implicit reward of the rejected responses.</param>
/// <param name="InstructionRows">Instruction rows scored.</param>
/// <param name="PreferenceRows">Preference pairs scored.</param>
public record HeldOutMetrics(
    double FSft, double FDpo, double SftTokenAccuracy, double RewardAccuracy, double RewardMargin,
    double ChosenReward, double RejectedReward, int InstructionRows, int PreferenceRows);
