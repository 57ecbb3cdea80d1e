using XRight.Selection;
using XRight.Training;

namespace XRight.MLNet;

/// <summary>
/// The sweep of <c>mlContext.PostTraining.ParetoSelect</c>. Defaults follow the paper's Pythia setting
/// in spirit (ALRIGHT and memory-efficient MAXRIGHT over λ, Sequential (T_DPO, T_SFT) baselines with the
/// same total epochs, selection by minimum ideal distance) with a smaller λ grid.
/// </summary>
public sealed record ParetoSelectOptions
{
    /// <summary>Joint strategies to sweep over λ. Default: ALRIGHT and memory-efficient MAXRIGHT.</summary>
    public IReadOnlyList<JointStrategy> Strategies { get; init; } = [JointStrategy.AlRight, JointStrategy.MemoryEfficientMaxRight];

    /// <summary>λ values of the sweep, each in [0, 1]. Default: 0.25, 0.5, 0.75 (the paper uses 0.01, 0.25, 0.5, 0.75, 0.99 for Pythia).</summary>
    public IReadOnlyList<double> Lambdas { get; init; } = [0.25, 0.5, 0.75];

    /// <summary>
    /// Also train Sequential (T_DPO, T_SFT) = (n, E − n) for n = 1 … E − 1, with E the options' Epochs,
    /// as baselines and as the runs resource increases are measured against. Default: true.
    /// </summary>
    public bool IncludeSequentialBaselines { get; init; } = true;

    /// <summary>
    /// The T_DPO values of the Sequential baselines, each in 1 … E − 1 (T_SFT = E − T_DPO); null for all
    /// of them. Default: null.
    /// </summary>
    public IReadOnlyList<int>? SequentialDpoEpochs { get; init; }

    /// <summary>How the model is chosen. Default: minimum distance to the ideal point.</summary>
    public SelectionRule Rule { get; init; } = SelectionRule.MinIdealDistance;

    /// <summary>f*_DPO; null to estimate it by a DPO-only run with the same budget.</summary>
    public double? DpoOptimum { get; init; }

    /// <summary>f*_SFT; null to estimate it by an SFT-only run with the same budget.</summary>
    public double? SftOptimum { get; init; }

    /// <summary>
    /// Folder for the sweep's models, checkpoints, shared reference, report and plots. Default: a new
    /// folder under the system temp folder. Give one to keep the results and to resume a sweep.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Skip candidates a previous sweep in <see cref="WorkingDirectory"/> finished, and resume an interrupted one from its checkpoint. Default: true.</summary>
    public bool Resume { get; init; } = true;

    internal void Validate(int epochs)
    {
        if (IncludeSequentialBaselines && SequentialDpoEpochs is { } splits)
            foreach (var n in splits)
                if (n < 1 || n >= epochs)
                    throw new ArgumentOutOfRangeException(nameof(SequentialDpoEpochs), n, $"ParetoSelectOptions.SequentialDpoEpochs must lie in 1 … {epochs - 1} (the options' Epochs minus one).");
        if (Strategies is null || Lambdas is null) throw new ArgumentException("ParetoSelectOptions: Strategies and Lambdas must not be null.");
        if (Strategies.Any(s => s == JointStrategy.Sequential))
            throw new ArgumentException("ParetoSelectOptions.Strategies: Sequential is swept through IncludeSequentialBaselines, not λ.");
        foreach (var lambda in Lambdas)
            if (lambda is < 0 or > 1 || double.IsNaN(lambda)) throw new ArgumentOutOfRangeException(nameof(Lambdas), lambda, "ParetoSelectOptions.Lambdas must lie in [0, 1].");
        if (Strategies.Count * Lambdas.Count == 0 && !IncludeSequentialBaselines)
            throw new ArgumentException("ParetoSelectOptions: the sweep has no candidates (no strategies or λ, and no Sequential baselines).");
        ArgumentNullException.ThrowIfNull(Rule, nameof(Rule));
    }
}
