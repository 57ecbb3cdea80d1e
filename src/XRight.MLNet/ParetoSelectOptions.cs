using XRight.Selection;

namespace XRight.MLNet;

/// <summary>
/// The sweep of <c>mlContext.PostTraining.ParetoSelect</c>: the core <see cref="ParetoSweepOptions"/> (strategies,
/// λs, Sequential baselines, rule (including rules on benchmark metrics and ∆m%), f*, working directory, resume,
/// benchmarks run on every candidate and the metrics of the overall ∆m%) under the stage's name.
/// </summary>
public sealed record ParetoSelectOptions : ParetoSweepOptions;
