using XRight.Training;

namespace XRight.MLNet;

/// <summary>
/// What <c>mlContext.PostTraining.Evaluate</c> returns: the objectives and TRL-style metrics of
/// <see cref="HeldOutMetrics"/> (f_SFT, f_DPO, token accuracy, reward accuracy, margin, mean chosen and
/// rejected rewards, row counts), plus the optimality gaps and the distance from the ideal point when
/// f*_DPO and f*_SFT are given.
/// </summary>
public sealed record PostTrainingMetrics : HeldOutMetrics
{
    /// <summary>The metrics, with the optima (either may be null) the gaps are measured against.</summary>
    public PostTrainingMetrics(HeldOutMetrics metrics, double? dpoOptimum = null, double? sftOptimum = null) : base(metrics)
    {
        DpoOptimum = dpoOptimum;
        SftOptimum = sftOptimum;
    }

    /// <summary>f*_DPO, when given.</summary>
    public double? DpoOptimum { get; }

    /// <summary>f*_SFT, when given.</summary>
    public double? SftOptimum { get; }

    /// <summary>f_SFT − f*_SFT, when f*_SFT is given.</summary>
    public double? SftGap => SftOptimum is { } optimum ? FSft - optimum : null;

    /// <summary>f_DPO − f*_DPO, when f*_DPO is given.</summary>
    public double? DpoGap => DpoOptimum is { } optimum ? FDpo - optimum : null;

    /// <summary>Euclidean distance from (f_DPO, f_SFT) to (f*_DPO, f*_SFT), when both are given.</summary>
    public double? IdealDistance => SftGap is { } sft && DpoGap is { } dpo ? Math.Sqrt(sft * sft + dpo * dpo) : null;
}
