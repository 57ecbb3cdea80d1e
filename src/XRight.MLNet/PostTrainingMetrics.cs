namespace XRight.MLNet;

/// <summary>The objectives of a post-trained model on data, and its distance from the ideal point when f* is known.</summary>
/// <param name="FSft">Token-mean NLL of the instruction responses.</param>
/// <param name="FDpo">Mean DPO loss of the preference pairs against the model's reference.</param>
/// <param name="SftTokenAccuracy">Share of response tokens the model ranks first.</param>
/// <param name="RewardAccuracy">Share of pairs whose implicit reward prefers the chosen answer.</param>
/// <param name="RewardMargin">Mean reward(chosen) − reward(rejected).</param>
/// <param name="ChosenReward">Mean implicit reward of the chosen answers.</param>
/// <param name="RejectedReward">Mean implicit reward of the rejected answers.</param>
/// <param name="InstructionRows">Instruction rows evaluated.</param>
/// <param name="PreferenceRows">Preference pairs evaluated.</param>
/// <param name="SftGap">f_SFT − f*_SFT, when f*_SFT is given.</param>
/// <param name="DpoGap">f_DPO − f*_DPO, when f*_DPO is given.</param>
/// <param name="IdealDistance">Euclidean distance to (f*_DPO, f*_SFT), when both are given.</param>
public sealed record PostTrainingMetrics(
    double FSft, double FDpo, double SftTokenAccuracy, double RewardAccuracy, double RewardMargin, double ChosenReward,
    double RejectedReward, int InstructionRows, int PreferenceRows, double? SftGap, double? DpoGap, double? IdealDistance);
