using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using XRight.Evaluation;
using XRight.Modeling;
using XRight.Modeling.SafeTensors;
using XRight.Text;

namespace XRight.Cli.Commands;

/// <summary>
/// <c>xright evaluate --model DIR [--mmlu-dev F --mmlu-test F] [--hellaswag F] [--xstest F] [--win-rate F --reward-model DIR]</c>:
/// the library's benchmarks on a saved Hugging Face folder. Every option is checked before any model is loaded.
/// </summary>
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

        [CommandOption("--xstest <FILE>")]
        [Description("XSTest prompts (JSON Lines: id, prompt, type, label safe/unsafe, focus, note), answered greedily and classified by string match.")]
        public string? XsTest { get; init; }

        [CommandOption("--win-rate <FILE>")]
        [Description("Prompts with reference responses (JSON Lines: prompt, chosen; other keys ignored) for the reward-model win rate. Needs --reward-model.")]
        public string? WinRate { get; init; }

        [CommandOption("--reward-model <DIR>")]
        [Description("A Hugging Face sequence-classification folder (one label) with its tokenizer, which scores --win-rate.")]
        public string? RewardModel { get; init; }

        [CommandOption("--max-new-tokens <N>")]
        [Description("New tokens generated per prompt for --xstest and --win-rate (greedy decoding). Default: the library's (256).")]
        public int? MaxNewTokens { get; init; }

        [CommandOption("-o|--out <FILE>")]
        [Description("Writes the results as JSON (one object per benchmark).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Model)) throw new ArgumentException("evaluate needs --model <DIR>.");
        if (!Directory.Exists(settings.Model)) throw new DirectoryNotFoundException($"--model: '{Path.GetFullPath(settings.Model)}' does not exist (expected a Hugging Face model folder).");
        if ((settings.MmluDev is null) != (settings.MmluTest is null)) throw new ArgumentException("MMLU needs both --mmlu-dev and --mmlu-test.");
        if ((settings.WinRate is null) != (settings.RewardModel is null))
            throw new ArgumentException(settings.WinRate is null
                ? "--reward-model needs --win-rate <FILE> (the prompts and reference responses it scores)."
                : "--win-rate needs --reward-model <DIR> (a Hugging Face sequence-classification folder).");
        if (settings.MmluDev is null && settings.HellaSwag is null && settings.XsTest is null && settings.WinRate is null)
            throw new ArgumentException("evaluate needs a benchmark: --mmlu-dev and --mmlu-test, --hellaswag, --xstest, and/or --win-rate with --reward-model.");
        if (settings.MmluShots is < 0) throw new ArgumentException($"--mmlu-shots must be 0 or more, found {settings.MmluShots}.");
        if (settings.MaxNewTokens is { } maxNewTokens)
        {
            if (maxNewTokens < 1) throw new ArgumentException($"--max-new-tokens must be at least 1, found {maxNewTokens}.");
            if (settings.XsTest is null && settings.WinRate is null) throw new ArgumentException("--max-new-tokens applies to --xstest and --win-rate, and neither was given.");
        }
        foreach (var (option, file) in new[] { ("--mmlu-dev", settings.MmluDev), ("--mmlu-test", settings.MmluTest), ("--hellaswag", settings.HellaSwag), ("--xstest", settings.XsTest), ("--win-rate", settings.WinRate) })
            if (file is not null && !File.Exists(file)) throw new FileNotFoundException($"{option}: '{Path.GetFullPath(file)}' does not exist.", file);
        if (settings.RewardModel is { } rewardFolder) CheckRewardModelFolder(rewardFolder);

        // The data are read and the benchmarks built before any model is loaded, so bad files fail first.
        var completion = settings.MaxNewTokens is { } tokens
            ? new CompletionOptions { Generation = new CompletionOptions().Generation with { MaxNewTokens = tokens } }
            : new CompletionOptions();
        MmluBenchmark? mmlu = null;
        if (settings.MmluDev is not null)
        {
            var options = settings.MmluShots is { } shots ? new MmluOptions { Shots = shots } : new MmluOptions();
            mmlu = new MmluBenchmark(Read("--mmlu-dev", settings.MmluDev, EvaluationData.ReadMmlu, allowEmpty: true), Read("--mmlu-test", settings.MmluTest!, EvaluationData.ReadMmlu), options);
        }
        var hellaSwag = settings.HellaSwag is null ? null : new HellaSwagBenchmark(Read("--hellaswag", settings.HellaSwag, EvaluationData.ReadHellaSwag));
        var xsTest = settings.XsTest is null ? null : new XsTestBenchmark(Read("--xstest", settings.XsTest, EvaluationData.ReadXsTest), new XsTestOptions { Completion = completion });
        var winRate = settings.WinRate is null ? null : new RewardWinRateBenchmark(Read("--win-rate", settings.WinRate, EvaluationData.ReadWinRateItems), new WinRateOptions { Completion = completion });

        using var model = CausalLm.FromPretrained(settings.Model);
        var tokenizer = CausalLmTokenizer.FromPretrained(settings.Model);
        var results = new List<BenchmarkResult>();
        if (mmlu is not null) results.Add(mmlu.Evaluate(model, tokenizer));
        if (hellaSwag is not null) results.Add(hellaSwag.Evaluate(model, tokenizer));
        if (xsTest is not null) results.Add(xsTest.Evaluate(model, tokenizer));
        if (winRate is not null)
        {
            using var rewardModel = RewardModel.FromPretrained(settings.RewardModel!);
            results.Add(winRate.Evaluate(model, tokenizer, rewardModel));
        }

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

    /// <summary>Reads an option's data file; a malformed file (or an empty one, unless <paramref name="allowEmpty"/>: MMLU's dev split with no shots) is an argument error naming the option.</summary>
    private static IReadOnlyList<T> Read<T>(string option, string path, Func<string, IReadOnlyList<T>> read, bool allowEmpty = false)
    {
        IReadOnlyList<T> rows;
        try
        {
            rows = read(path);
        }
        catch (InvalidDataException e)
        {
            throw new FormatException($"{option}: {e.Message}", e);
        }
        if (rows.Count == 0 && !allowEmpty) throw new FormatException($"{option}: '{Path.GetFullPath(path)}' holds no rows.");
        return rows;
    }

    /// <summary>The files a reward-model folder must hold: config.json, safetensors weights and a tokenizer (the responses are scored as its text).</summary>
    private static void CheckRewardModelFolder(string folder)
    {
        string full = Path.GetFullPath(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--reward-model: '{full}' does not exist (expected a Hugging Face sequence-classification folder).");
        if (!File.Exists(Path.Combine(folder, "config.json"))) throw new FileNotFoundException($"--reward-model: '{full}' has no config.json (expected a Hugging Face sequence-classification folder).");
        if (!SafeTensorsCheckpoint.Exists(folder))
            throw new FileNotFoundException($"--reward-model: '{full}' holds no safetensors weights (expected model.safetensors or model.safetensors.index.json).");
        // The tokenizer files the library recognizes; the win rate scores text, so a folder without them cannot be used.
        string[] tokenizerFiles = ["tokenizer.json", "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json"];
        if (!tokenizerFiles.Any(name => File.Exists(Path.Combine(folder, name))))
            throw new FileNotFoundException($"--reward-model: '{full}' has no tokenizer (expected one of {string.Join(", ", tokenizerFiles)}).");
    }
}
