using Spectre.Console;
using Spectre.Console.Cli;
using XRight.Cli.Commands;
using XRight.Cli.Config;

namespace XRight.Cli;

/// <summary>The xright command line: train, sweep plan/run/status/select, evaluate.</summary>
public static class XRightApp
{
    /// <summary>Exit code of a config, argument or data error found before any work.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a failure during the work.</summary>
    public const int Failure = 1;

    /// <summary>Where the commands write; the process's console unless a caller (a test) sets another.</summary>
    internal static IAnsiConsole Out { get; set; } = AnsiConsole.Console;

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static int Run(string[] args, IAnsiConsole? console = null)
    {
        var previous = Out;
        Out = console ?? AnsiConsole.Console;
        try
        {
            var app = new CommandApp();
            app.Configure(config =>
            {
                config.SetApplicationName("xright");
                config.PropagateExceptions();
                config.Settings.Console = Out;
                config.AddCommand<TrainCommand>("train").WithDescription("Post-trains one model from a JSON config (data, base model, options, output).");
                config.AddBranch("sweep", sweep =>
                {
                    sweep.SetDescription("A Pareto sweep run job by job: on a scheduler's job array or several workers on one folder.");
                    sweep.AddCommand<SweepPlanCommand>("plan").WithDescription("Writes the sweep's manifest (jobs, content keys, dependencies) into a folder.");
                    sweep.AddCommand<SweepRunCommand>("run").WithDescription("Runs one job of a planned sweep (index from --index, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX).");
                    sweep.AddCommand<SweepStatusCommand>("status").WithDescription("Shows where every job of a sweep stands.");
                    sweep.AddCommand<SweepSelectCommand>("select").WithDescription("Once every job is done: the front, report, plots and the chosen model.");
                });
                config.AddCommand<EvaluateCommand>("evaluate").WithDescription("Runs the library's MMLU, HellaSwag, XSTest and reward-model win-rate evaluations on a saved Hugging Face model folder.");
            });
            try
            {
                return app.Run(args);
            }
            catch (ConfigException e)
            {
                Out.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                return UsageError;
            }
            catch (CommandAppException e)
            {
                Out.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                return UsageError;
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or FormatException)
            {
                Out.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                return UsageError;
            }
            catch (Exception e)
            {
                Out.MarkupLineInterpolated($"[red]error:[/] {e.GetType().Name}: {e.Message}");
                return Failure;
            }
        }
        finally
        {
            Out = previous;
        }
    }
}
