using System.ComponentModel;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;
using XRight.Cli.Config;
using XRight.MLNet;
using XRight.Selection;

namespace XRight.Cli.Commands;

/// <summary><c>xright train --config run.json</c>.</summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")]
        [Description("The run's JSON config: data, model, options, output.")]
        public string Config { get; init; } = "";

        [CommandOption("-o|--output <DIR>")]
        [Description("The output folder (overrides the config's \"output\").")]
        public string? Output { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Config)) throw new ArgumentException("train needs --config <FILE>.");
        var config = ConfigLoader.Load(settings.Config, needSweep: false);
        var output = settings.Output is { } o ? Path.GetFullPath(o) : config.Output
            ?? throw new ConfigException(settings.Config, "$.output", "expected the output folder (or give --output).");
        var ml = config.CreateContext();
        var raw = config.LoadRaw(ml);
        using var model = Bars.Show(progress =>
        {
            var steps = new Sync<TrainingProgress>(step => progress.Report(new ParetoProgress("training", 0, 1, step, Reused: false)));
            var pipeline = config.TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(config.Options, steps));
            return pipeline.Fit(raw);
        });
        var trained = model.LastTransformer;
        Directory.CreateDirectory(output);
        ml.Model.Save(model, raw.Schema, Path.Combine(output, "model.zip"));
        trained.Policy.SavePretrained(Path.Combine(output, "model"), trained.Tokenizer);
        if (config.Options.Lora is not null) trained.Policy.SaveLoraAdapter(Path.Combine(output, "adapter"));
        var summary = trained.Summary;
        summary.SaveTrajectoryCsv(Path.Combine(output, "trajectory.csv"));

        var table = new Table().AddColumns("", "value");
        table.AddRow("strategy", Markup.Escape(summary.Strategy));
        table.AddRow("steps (DPO / SFT)", $"{summary.Steps} ({summary.DpoSteps} / {summary.SftSteps})");
        table.AddRow("stop reason", summary.StopReason.ToString());
        table.AddRow("held-out f_DPO", Number(summary.Final.FDpo));
        table.AddRow("held-out f_SFT", Number(summary.Final.FSft));
        table.AddRow("seconds", summary.RuntimeSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        XRightApp.Out.Write(table);
        XRightApp.Out.MarkupLineInterpolated($"Saved {Path.Combine(output, "model.zip")} (ML.NET), {Path.Combine(output, "model")} (Hugging Face, LoRA merged){(config.Options.Lora is null ? "" : $", {Path.Combine(output, "adapter")} (PEFT adapter)")}.");
        return 0;
    }

    internal static string Number(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
