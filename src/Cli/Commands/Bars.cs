using Spectre.Console;
using XRight.Selection;

namespace XRight.Cli.Commands;

/// <summary>Progress bars for training runs: one bar per run (a phase, or a sweep's candidate), steps out of the run's total.</summary>
internal static class Bars
{
    /// <summary>Runs <paramref name="work"/> with a progress sink that draws a bar per run.</summary>
    public static T Show<T>(Func<IProgress<ParetoProgress>, T> work)
    {
        T result = default!;
        XRightApp.Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                ProgressTask Task(string name)
                {
                    if (!tasks.TryGetValue(name, out var task)) tasks[name] = task = context.AddTask(Markup.Escape(name), autoStart: true, maxValue: 1);
                    return task;
                }
                var sink = new Sync<ParetoProgress>(report =>
                {
                    if (report.Step is { } step)
                    {
                        var task = Task($"{report.Candidate} · {step.Phase}");
                        task.MaxValue = Math.Max(1, step.TotalSteps);
                        task.Value = step.Step;
                    }
                    else if (report.Reused)
                    {
                        var task = Task($"{report.Candidate} (reused)");
                        task.Value = task.MaxValue;
                    }
                    if (report.Note is { } note) XRightApp.Out.MarkupLineInterpolated($"[yellow]note:[/] {note}");
                });
                result = work(sink);
                foreach (var task in tasks.Values) task.Value = task.MaxValue;
            });
        return result;
    }
}
