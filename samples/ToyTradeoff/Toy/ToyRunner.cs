using XRight.Training;
using XRight.Training.Strategies;

namespace XRight.Toy;

/// <summary>
/// Drives an <see cref="IJointStrategy"/> on a <see cref="ToyProblem"/> with plain gradient descent,
/// following the same per-step protocol as the language-model trainer, and records the trajectory.
/// </summary>
/// <remarks>
/// The toy's "batch" is the whole data set, so a batch loss is the objective itself. Each step the
/// runner asks the strategy what to evaluate, lets it decide, steps on
/// <c>w_DPO·∇f_DPO + w_SFT·∇f_SFT</c> (plus weight decay), and reports the losses it computed for the
/// update (both when the strategy asked for both with graphs) taken before the update.
/// </remarks>
public static class ToyRunner
{
    /// <summary>Runs <paramref name="strategy"/> from <paramref name="start"/> until it completes.</summary>
    /// <param name="problem">The objectives.</param>
    /// <param name="strategy">Decides each step; used as the language-model trainer uses it.</param>
    /// <param name="start">θ at step 0.</param>
    /// <param name="optimizer">Step size and weight decay.</param>
    /// <param name="recordEvery">Record every n-th step (the start and the last step always); 1 keeps all.</param>
    public static ToyRun Run(ToyProblem problem, IJointStrategy strategy, IReadOnlyList<double> start, ToyOptimizerOptions optimizer, int recordEvery = 1)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(recordEvery, 1);
        if (start.Count != problem.Dimension || start.Any(v => !double.IsFinite(v)))
            throw new ArgumentException($"The start must have {problem.Dimension} finite entries; found [{string.Join(", ", start)}].", nameof(start));

        var theta = start.ToArray();
        var points = new List<ToyTrajectoryPoint> { Record(problem, 0, null, theta) };
        int step = 0;
        ObjectiveKind? lastStepped = null;
        for (; step < strategy.TotalSteps && !strategy.IsComplete(step); step++)
        {
            var need = strategy.Need(step);
            ObjectivePair? evaluated = need == EvaluationNeed.None ? null : problem.Evaluate(theta);
            var decision = strategy.Decide(step, evaluated);

            double? dpoLoss = decision.UsesDpo || need == EvaluationNeed.BothWithGraph ? evaluated?.Dpo ?? problem.Dpo(theta) : null;
            double? sftLoss = decision.UsesSft || need == EvaluationNeed.BothWithGraph ? evaluated?.Sft ?? problem.Sft(theta) : null;

            var gradient = new double[theta.Length];
            if (decision.UsesDpo) ToyMath.AddScaled(gradient, decision.DpoWeight, problem.DpoGradient(theta));
            if (decision.UsesSft) ToyMath.AddScaled(gradient, decision.SftWeight, problem.SftGradient(theta));
            optimizer.Step(theta, gradient);

            if (dpoLoss is { } d) strategy.Observe(ObjectiveKind.Dpo, d);
            if (sftLoss is { } s) strategy.Observe(ObjectiveKind.Sft, s);
            lastStepped = decision.Single;
            if ((step + 1) % recordEvery == 0) points.Add(Record(problem, step + 1, lastStepped, theta));
        }
        if (points[^1].Step != step) points.Add(Record(problem, step, lastStepped, theta));
        return new ToyRun(strategy.Name, points.AsReadOnly());
    }

    private static ToyTrajectoryPoint Record(ToyProblem problem, int step, ObjectiveKind? stepped, double[] theta) =>
        new(step, stepped, problem.Dpo(theta), problem.Sft(theta), [.. theta]);
}
