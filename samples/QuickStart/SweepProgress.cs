using Microsoft.ML;
using Spectre.Console;
using XRight.MLNet;
using XRight.Selection;

namespace XRight.Samples;

/// <summary>One progress bar per run of the sweep.</summary>
internal static class SweepProgress
{
    public static JointPostTrainTransformer Run(ProgressContext context, Func<IProgress<ParetoProgress>, ParetoSelectEstimator> createSweep, IDataView data)
    {
        var tasks = new Dictionary<string, ProgressTask>();
        ProgressTask? current = null;
        var reporter = new Reporter(value =>
        {
            var key = value.Candidate + (value.Step is { } s ? " / " + s.Phase : "");
            if (!tasks.TryGetValue(key, out var task))
            {
                current?.StopTask();
                task = tasks[key] = context.AddTask(Markup.Escape(key), maxValue: Math.Max(1, value.Step?.TotalSteps ?? 1));
                current = task;
            }
            if (value.Reused) task.Value = task.MaxValue;
            else if (value.Step is { } step)
            {
                task.MaxValue = Math.Max(1, step.TotalSteps);
                task.Value = step.Step;
            }
        });
        var model = createSweep(reporter).Fit(data);
        foreach (var task in tasks.Values) { task.Value = task.MaxValue; task.StopTask(); }
        return model;
    }

    private sealed class Reporter(Action<ParetoProgress> report) : IProgress<ParetoProgress>
    {
        public void Report(ParetoProgress value) => report(value);
    }
}
