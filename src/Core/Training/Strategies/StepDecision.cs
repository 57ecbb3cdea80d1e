namespace XRight.Training.Strategies;

/// <summary>
/// The weights of this step's loss: <c>DpoWeight·f_DPO(batch) + SftWeight·f_SFT(batch)</c>.
/// A weight of zero means that objective's batch is not used for the update.
/// </summary>
/// <param name="DpoWeight">Weight on the DPO batch loss.</param>
/// <param name="SftWeight">Weight on the SFT batch loss.</param>
public readonly record struct StepDecision(double DpoWeight, double SftWeight)
{
    /// <summary>A pure DPO step.</summary>
    public static StepDecision Dpo => new(1, 0);

    /// <summary>A pure SFT step.</summary>
    public static StepDecision Sft => new(0, 1);

    /// <summary>True when the DPO batch loss enters the update.</summary>
    public bool UsesDpo => DpoWeight != 0;

    /// <summary>True when the SFT batch loss enters the update.</summary>
    public bool UsesSft => SftWeight != 0;

    /// <summary>The single objective stepped on, or null when both are (Mix).</summary>
    public ObjectiveKind? Single => UsesDpo && UsesSft ? null : UsesDpo ? ObjectiveKind.Dpo : ObjectiveKind.Sft;
}
