using XRight.MLNet;

namespace XRight.Cli.Config;

/// <summary>The JSON config of <c>xright train</c> and <c>xright sweep plan</c> (names in camelCase; unknown names are errors).</summary>
internal sealed record ConfigFile
{
    /// <summary>The training data.</summary>
    public required DataConfig Data { get; init; }

    /// <summary>The base model.</summary>
    public required ModelConfig Model { get; init; }

    /// <summary>The options records (strategy, dpo, optimizer, batches, evaluation, checkpoints, reference, lora, runtime, dtype, generation, strictData).</summary>
    public JointPostTrainOptions? Options { get; init; }

    /// <summary>The sweep, for <c>xright sweep plan</c>.</summary>
    public SweepConfig? Sweep { get; init; }

    /// <summary>The output folder of <c>xright train</c>, relative to the config file's folder.</summary>
    public string? Output { get; init; }
}

/// <summary>The data files.</summary>
internal sealed record DataConfig
{
    /// <summary>The instruction rows (Prompt, Response).</summary>
    public required DataFileConfig Instructions { get; init; }

    /// <summary>The preference rows (Prompt, Chosen, Rejected).</summary>
    public required DataFileConfig Preferences { get; init; }

    /// <summary>Tokens per sequence (prompt and response together). Default: 512.</summary>
    public int MaxLength { get; init; } = 512;

    /// <summary>Where the EOS token goes (<see cref="XRight.Text.EosPolicy"/>). Default: the reference code's.</summary>
    public XRight.Text.EosPolicy EosPolicy { get; init; } = XRight.Text.EosPolicy.ReferenceCode;
}

/// <summary>One data file.</summary>
internal sealed record DataFileConfig
{
    /// <summary>A JSON Lines (.jsonl) or Parquet (.parquet) file, relative to the config file's folder.</summary>
    public required string Path { get; init; }

    /// <summary>Renames the file's keys to the columns XRight reads, e.g. { "instruction": "Prompt", "output": "Response" }.</summary>
    public Dictionary<string, string>? Columns { get; init; }
}

/// <summary>The base model: a Hugging Face folder, or a config.json with a tokenizer.</summary>
internal sealed record ModelConfig
{
    /// <summary>A Hugging Face model folder (config, weights, tokenizer files).</summary>
    public string? Folder { get; init; }

    /// <summary>A Hugging Face config.json: a freshly initialised model of that shape.</summary>
    public string? Config { get; init; }

    /// <summary>With <see cref="Config"/>: "byte-level" (built in) or a folder with tokenizer files.</summary>
    public string? Tokenizer { get; init; }
}

/// <summary>The Pareto sweep.</summary>
internal sealed record SweepConfig
{
    /// <summary>Joint strategies swept over λ.</summary>
    public List<JointStrategy>? Strategies { get; init; }

    /// <summary>λ values, each in [0, 1].</summary>
    public List<double>? Lambdas { get; init; }

    /// <summary>Also train the Sequential baselines.</summary>
    public bool? IncludeSequentialBaselines { get; init; }

    /// <summary>T_DPO of the Sequential baselines; null for all.</summary>
    public List<int>? SequentialDpoEpochs { get; init; }

    /// <summary>How the model is chosen.</summary>
    public RuleConfig? Rule { get; init; }

    /// <summary>f*_DPO; null to estimate it.</summary>
    public double? DpoOptimum { get; init; }

    /// <summary>f*_SFT; null to estimate it.</summary>
    public double? SftOptimum { get; init; }
}

/// <summary>A selection rule.</summary>
internal sealed record RuleConfig
{
    /// <summary>minIdealDistance, minMixGap, bestSftWithDpoAtMost or bestDpoWithSftAtMost.</summary>
    public required string Kind { get; init; }

    /// <summary>λ of minMixGap, or the bound of a constrained rule.</summary>
    public double? Value { get; init; }
}
