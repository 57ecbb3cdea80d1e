using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using XRight.Evaluation;
using XRight.Modeling;
using XRight.Text;

namespace XRight.Cli.Commands;

/// <summary><c>xright evaluate --model DIR --mmlu-dev F --mmlu-test F --hellaswag F</c>: the library's benchmarks on a saved Hugging Face folder.</summary>
internal sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <DIR>")]
        [Description("A Hugging Face model folder with its tokenizer (the output of train, or a sweep's chosen/).")]
        public string Model { get; init; } = "";

        [CommandOption("--mmlu-dev <FILE>")]
        [Description("MMLU's dev split (JSON Lines: subject, question, choices, answer): the few-shot examples.")]
        public string? MmluDev { get; init; }

        [CommandOption("--mmlu-test <FILE>")]
        [Description("MMLU's test split (JSON Lines): the questions scored.")]
        public string? MmluTest { get; init; }

        [CommandOption("--mmlu-shots <N>")]
        [Description("MMLU's few-shot examples per question. Default: the library's (1).")]
        public int? MmluShots { get; init; }

        [CommandOption("--hellaswag <FILE>")]
        [Description("HellaSwag items (JSON Lines: ctx_a, ctx_b, activity_label, endings, label).")]
        public string? HellaSwag { get; init; }

        [CommandOption("-o|--out <FILE>")]
        [Description("Writes the results as JSON (one object per benchmark).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Model)) throw new ArgumentException("evaluate needs --model <DIR>.");
        if (!Directory.Exists(settings.Model)) throw new DirectoryNotFoundException($"--model: '{Path.GetFullPath(settings.Model)}' does not exist (expected a Hugging Face model folder).");
        if ((settings.MmluDev is null) != (settings.MmluTest is null)) throw new ArgumentException("MMLU needs both --mmlu-dev and --mmlu-test.");
        if (settings.MmluDev is null && settings.HellaSwag is null) throw new ArgumentException("evaluate needs a benchmark: --mmlu-dev and --mmlu-test, and/or --hellaswag.");
        foreach (var (option, file) in new[] { ("--mmlu-dev", settings.MmluDev), ("--mmlu-test", settings.MmluTest), ("--hellaswag", settings.HellaSwag) })
            if (file is not null && !File.Exists(file)) throw new FileNotFoundException($"{option}: '{Path.GetFullPath(file)}' does not exist.", file);
        if (settings.MmluShots is < 0) throw new ArgumentException($"--mmlu-shots must be 0 or more, found {settings.MmluShots}.");

        using var model = CausalLm.FromPretrained(settings.Model);
        var tokenizer = CausalLmTokenizer.FromPretrained(settings.Model);
        var results = new List<BenchmarkResult>();
        if (settings.MmluDev is not null)
        {
            var options = settings.MmluShots is { } shots ? new MmluOptions { Shots = shots } : new MmluOptions();
            results.Add(new MmluBenchmark(EvaluationData.ReadMmlu(settings.MmluDev), EvaluationData.ReadMmlu(settings.MmluTest!), options).Evaluate(model, tokenizer));
        }
        if (settings.HellaSwag is not null)
            results.Add(new HellaSwagBenchmark(EvaluationData.ReadHellaSwag(settings.HellaSwag)).Evaluate(model, tokenizer));

        var table = new Table().AddColumns("benchmark", "metric", "value");
        foreach (var result in results)
        {
            foreach (var (name, value) in result.Metrics) table.AddRow(result.Benchmark, name, TrainCommand.Number(value));
            foreach (var (name, value) in result.Counts) table.AddRow(result.Benchmark, name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        XRightApp.Out.Write(table);
        if (settings.Out is { } output)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllText(output, "[\n" + string.Join(",\n", results.Select(r => r.ToJson())) + "\n]\n");
            XRightApp.Out.WriteLine($"Wrote {Path.GetFullPath(output)}.");
        }
        return 0;
    }
}
