using XRight.Selection;

namespace XRight.MLNet;

/// <summary>
/// The sweep of <c>mlContext.PostTraining.ParetoSelect</c>: the core <see cref="ParetoSweepOptions"/> (strategies,
/// λs, Sequential baselines, rule, f*, working directory, resume) under the stage's name.
/// </summary>
public sealed record ParetoSelectOptions : ParetoSweepOptions;
