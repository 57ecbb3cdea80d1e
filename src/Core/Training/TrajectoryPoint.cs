namespace XRight.Training;

/// <summary>
/// One evaluation during training: the held-out objective values at a step, which objective the
/// step updated, and the resources spent so far (for plots like the paper's Figure 3).
/// </summary>
/// <param name="Step">Optimizer steps taken when the evaluation ran (1 = after the first step).</param>
/// <param name="FDpo">Held-out DPO objective.</param>
/// <param name="FSft">Held-out SFT objective (token-mean NLL).</param>
/// <param name="Stepped">The objective(s) the last step updated; null when both (Mix).</param>
/// <param name="WallSeconds">Wall time since training started.</param>
/// <param name="PeakMemoryBytes">Peak memory so far (resident set on CPU, allocator peak on GPU).</param>
public sealed record TrajectoryPoint(int Step, double FDpo, double FSft, ObjectiveKind? Stepped, double WallSeconds, long PeakMemoryBytes);
