namespace XRight.Training.Strategies;

/// <summary>MAXRIGHT's choice: step on the objective with the larger λ-weighted optimality gap.</summary>
internal static class MaxRightRule
{
    /// <summary>DPO iff <c>λ(f_DPO − f*_DPO) &gt; (1−λ)(f_SFT − f*_SFT)</c>; ties go to SFT.</summary>
    public static StepDecision Choose(double lambda, ObjectivePair optimum, ObjectivePair values) =>
        lambda * (values.Dpo - optimum.Dpo) > (1 - lambda) * (values.Sft - optimum.Sft) ? StepDecision.Dpo : StepDecision.Sft;
}
