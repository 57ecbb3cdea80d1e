using System.ComponentModel;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;
using XRight.Cli.Config;
using XRight.MLNet;
using XRight.Selection;
using XRight.Selection.Jobs;

namespace XRight.Cli.Commands;

/// <summary>A planned sweep's folder: its config (paths made absolute) and manifest.</summary>
internal static class SweepFolder
{
    public const string ConfigFileName = "config.json";

    /// <summary>The sweep's jobs from the config kept in its folder; the estimator writes the report on select.</summary>
    public static (SweepJobs Jobs, ParetoSelectEstimator Estimator, LoadedConfig Config) Open(string folder, TimeSpan? timeout = null)
    {
        var full = Path.GetFullPath(folder);
        var file = Path.Combine(full, ConfigFileName);
        if (!File.Exists(file)) throw new FileNotFoundException($"'{file}' does not exist: '{full}' is not a planned sweep (run `xright sweep plan` first).", file);
        return Open(ConfigLoader.Load(file, needSweep: true), full, timeout);
    }

    public static (SweepJobs Jobs, ParetoSelectEstimator Estimator, LoadedConfig Config) Open(LoadedConfig config, string folder, TimeSpan? timeout = null)
    {
        var ml = config.CreateContext();
        var raw = config.LoadRaw(ml);
        var data = config.TextPipeline(ml).Fit(raw).Transform(raw);
        var estimator = ml.PostTraining.ParetoSelect(config.Options, config.Sweep! with { WorkingDirectory = folder });
        var jobs = estimator.CreateJobs(data);
        if (timeout is { } t) jobs.DependencyTimeout = t;
        return (jobs, estimator, config);
    }
}

/// <summary><c>xright sweep plan --config sweep.json --out DIR</c>.</summary>
internal sealed class SweepPlanCommand : Command<SweepPlanCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")]
        [Description("The sweep's JSON config: data, model, options and a sweep section.")]
        public string Config { get; init; } = "";

        [CommandOption("-o|--out <DIR>")]
        [Description("The sweep's folder, shared by every worker.")]
        public string Out { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Config) || string.IsNullOrWhiteSpace(settings.Out)) throw new ArgumentException("sweep plan needs --config <FILE> and --out <DIR>.");
        var config = ConfigLoader.Load(settings.Config, needSweep: true);
        var folder = Path.GetFullPath(settings.Out);
        var (jobs, _, _) = SweepFolder.Open(config, folder);
        var manifest = jobs.Plan();
        File.WriteAllText(Path.Combine(folder, SweepFolder.ConfigFileName), ConfigLoader.Resolved(config));
        var table = new Table().AddColumns("index", "job", "kind", "depends on", "key");
        foreach (var job in manifest.Jobs)
            table.AddRow(job.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(job.Name), job.Kind.ToString(), string.Join(", ", job.DependsOn), job.Key[..12]);
        XRightApp.Out.Write(table);
        XRightApp.Out.WriteLine($"prepare: {string.Join(",", manifest.PrepareIndexes)}");
        XRightApp.Out.WriteLine($"candidates: {string.Join(",", manifest.CandidateIndexes)}");
        XRightApp.Out.WriteLine($"Planned {manifest.Jobs.Count} jobs in {folder}.");
        return 0;
    }
}

/// <summary><c>xright sweep run DIR --index I</c>.</summary>
internal sealed class SweepRunCommand : Command<SweepRunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("The planned sweep's folder.")]
        public string Folder { get; init; } = "";

        [CommandOption("-i|--index <I>")]
        [Description("The job's index; default: SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX.")]
        public int? Index { get; init; }

        [CommandOption("--timeout <SECONDS>")]
        [Description("How long the job waits for the jobs it depends on (or another worker holding it). Default: 86400.")]
        public double Timeout { get; init; } = 86_400;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var index = settings.Index ?? SweepJobs.IndexFromEnvironment()
            ?? throw new ArgumentException("sweep run needs --index <I>, or SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX set by the scheduler.");
        if (!(settings.Timeout > 0)) throw new ArgumentException($"--timeout must be a positive number of seconds, found {settings.Timeout}.");
        var (jobs, _, config) = SweepFolder.Open(settings.Folder, TimeSpan.FromSeconds(settings.Timeout));
        var job = index >= 0 && index < jobs.Manifest.Jobs.Count ? jobs.Manifest.Jobs[index] : null;
        XRightApp.Out.WriteLine($"job {index}: {job?.Name} on {SweepJobs.Worker} with {config.Options.Runtime.Threads} threads");
        var outcome = Bars.Show(progress => jobs.Run(index, progress, cancellationToken));
        XRightApp.Out.WriteLine(outcome == SweepJobOutcome.Completed ? $"job {index}: completed" : $"job {index}: already done");
        return 0;
    }
}

/// <summary>The settings of the commands that take only the planned sweep's folder.</summary>
internal sealed class SweepFolderSettings : CommandSettings
{
    [CommandArgument(0, "<DIR>")]
    [Description("The planned sweep's folder.")]
    public string Folder { get; init; } = "";
}

/// <summary><c>xright sweep status DIR</c>.</summary>
internal sealed class SweepStatusCommand : Command<SweepFolderSettings>
{
    public override int Execute(CommandContext context, SweepFolderSettings settings, CancellationToken cancellationToken)
    {
        var (jobs, _, _) = SweepFolder.Open(settings.Folder);
        var status = jobs.Status();
        var table = new Table().AddColumns("index", "job", "state", "worker", "error");
        foreach (var s in status)
            table.AddRow(s.Job.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(s.Job.Name),
                s.State + (s.Reused ? " (reused)" : ""), Markup.Escape(s.Worker ?? ""), Markup.Escape(s.Error ?? ""));
        XRightApp.Out.Write(table);
        XRightApp.Out.WriteLine($"{status.Count(s => s.State == SweepJobState.Done)} of {status.Count} jobs done");
        return 0;
    }
}

/// <summary><c>xright sweep select DIR</c>.</summary>
internal sealed class SweepSelectCommand : Command<SweepFolderSettings>
{
    public override int Execute(CommandContext context, SweepFolderSettings settings, CancellationToken cancellationToken)
    {
        var (jobs, estimator, _) = SweepFolder.Open(settings.Folder);
        var result = jobs.Select();
        estimator.SaveSelection(result);
        var chosen = Path.Combine(jobs.WorkingDirectory, "chosen");
        var ml = new MLContext();
        using (var loaded = (IDisposable)ml.PostTraining.LoadModel(result.Chosen.ModelPath!, out _))
        {
            var model = loaded as JointPostTrainTransformer
                ?? (loaded as IEnumerable<ITransformer>)?.OfType<JointPostTrainTransformer>().LastOrDefault()
                ?? throw new InvalidDataException($"'{result.Chosen.ModelPath}' holds no post-trained model.");
            model.Policy.SavePretrained(chosen, model.Tokenizer);
        }
        var table = new Table().AddColumns("candidate", "f_DPO", "f_SFT", "ideal distance", "front", "chosen");
        foreach (var c in result.Report.Candidates)
            table.AddRow(Markup.Escape(c.Candidate.Name), TrainCommand.Number(c.Candidate.FDpo), TrainCommand.Number(c.Candidate.FSft),
                TrainCommand.Number(c.IdealDistance), c.OnFront ? "yes" : "", c.Candidate.Name == result.Report.Chosen ? "yes" : "");
        XRightApp.Out.Write(table);
        XRightApp.Out.WriteLine($"chosen: {result.Report.Chosen}");
        XRightApp.Out.WriteLine($"Wrote report.md, report.json, objective-space.png, metrics.png and chosen/ (Hugging Face) in {jobs.WorkingDirectory}; the chosen model zip is {result.Chosen.ModelPath}.");
        return 0;
    }
}
