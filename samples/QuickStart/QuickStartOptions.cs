using System.Globalization;

namespace XRight.Samples;

/// <summary>The command line of the quick start.</summary>
internal sealed record QuickStartOptions
{
    public string Output { get; init; } = "quickstart-output";
    public string? Instructions { get; init; }
    public string? Preferences { get; init; }
    public string? Model { get; init; }
    public int Epochs { get; init; } = 12;
    public double[] Lambdas { get; init; } = [0.25, 0.5, 0.75];
    public int Seed { get; init; } = 7;

    public const string Usage = """
        XRight quick start: joint SFT/DPO post-training with Pareto-aware model selection.

        dotnet run --project samples/QuickStart [-- options]
          --out <folder>            where data, models, report and plots go (default: quickstart-output)
          --instructions <file>     instruction data (.parquet or .jsonl with prompt/response); default: embedded synthetic data
          --preferences <file>      preference data (.parquet or .jsonl with prompt/chosen/rejected); default: embedded synthetic data
          --model <folder>          a local Hugging Face model folder to fine-tune with LoRA; default: a tiny model trained from scratch
          --epochs <n>              epochs per run (default: 12)
          --lambdas <a,b,...>       λ values of the sweep (default: 0.25,0.5,0.75)
          --seed <n>                seed (default: 7)
        """;

    public static QuickStartOptions Parse(string[] args)
    {
        var options = new QuickStartOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n\n{Usage}");
            options = args[i] switch
            {
                "--out" => options with { Output = Value() },
                "--instructions" => options with { Instructions = Value() },
                "--preferences" => options with { Preferences = Value() },
                "--model" => options with { Model = Value() },
                "--epochs" => options with { Epochs = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--lambdas" => options with { Lambdas = Value().Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray() },
                "--seed" => options with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--help" or "-h" => throw new ArgumentException(Usage),
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n\n{Usage}"),
            };
        }
        if ((options.Instructions is null) != (options.Preferences is null))
            throw new ArgumentException("Give both --instructions and --preferences, or neither.");
        if (options.Epochs < 2) throw new ArgumentException("--epochs must be at least 2 (the Sequential baselines split the epochs between DPO and SFT).");
        return options;
    }
}
