using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.ML;
using XRight.Data;
using XRight.MLNet;
using XRight.Modeling;
using XRight.Selection;
using XRight.Text;

namespace XRight.Cli.Config;

/// <summary>A config read, checked and resolved (paths relative to the config file's folder made absolute).</summary>
internal sealed record LoadedConfig(string File, ConfigFile Raw, JointPostTrainOptions Options, ParetoSelectOptions? Sweep,
    string Instructions, IReadOnlyDictionary<string, string>? InstructionColumns,
    string Preferences, IReadOnlyDictionary<string, string>? PreferenceColumns, int MaxLength, string? Output)
{
    /// <summary>The tokenizer of the data: the base folder's, the built-in byte-level one, or a tokenizer folder's.</summary>
    public CausalLmTokenizer Tokenizer => Options.Tokenizer ?? CausalLmTokenizer.FromPretrained(Options.BaseModel!);

    /// <summary>
    /// The ML.NET context of every command: its seed is the options' seed (or the default one), so every
    /// worker of a sweep makes the same choices.
    /// </summary>
    public MLContext CreateContext() => new(seed: Options.Runtime.EffectiveSeed);

    /// <summary>The raw rows of both files in one view (CombineData).</summary>
    public IDataView LoadRaw(MLContext ml)
        => ml.PostTraining.CombineData(Load(ml, Instructions, InstructionColumns, ["Prompt", "Response"]), Load(ml, Preferences, PreferenceColumns, ["Prompt", "Chosen", "Rejected"]));

    /// <summary>The text stages: the prompt template and tokenization within <see cref="MaxLength"/>.</summary>
    public IEstimator<ITransformer> TextPipeline(MLContext ml)
        => ml.Transforms.Text.FormatPrompt().Append(ml.Transforms.Text.TokenizeForCausalLm(Tokenizer,
            new XRight.TextStages.TokenizeForCausalLmOptions { MaxLength = MaxLength, EosPolicy = Raw.Data.EosPolicy }));

    private static IDataView Load(MLContext ml, string path, IReadOnlyDictionary<string, string>? columns, string[] needed)
    {
        var renames = columns ?? new Dictionary<string, string>();
        var keys = needed.Select(column => renames.FirstOrDefault(r => r.Value == column).Key ?? column).ToArray();
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            IDataView view = ml.Data.LoadFromParquet(path);
            foreach (var (key, column) in renames.Where(r => r.Key != r.Value))
                view = ml.Transforms.CopyColumns(column, key).Fit(view).Transform(view);
            return ml.Transforms.SelectColumns(needed).Fit(view).Transform(view);
        }
        return ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { Columns = keys, ColumnNames = renames, Streaming = false });
    }
}

/// <summary>Reads configs strictly: unknown names, wrong types and invalid options fail before any work, naming the file, the JSON path and what is expected.</summary>
internal static class ConfigLoader
{
    private static readonly string[] LocalOnly = [nameof(JointPostTrainOptions.BaseModel), nameof(JointPostTrainOptions.BaseModelConfig), nameof(JointPostTrainOptions.Tokenizer), nameof(JointPostTrainOptions.Columns)];

    /// <summary>The serializer settings of configs: camelCase names, enums by name, no unknown members, no comments.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    // The base model, tokenizer and column names come from the config's model and data sections.
                    if (info.Type == typeof(JointPostTrainOptions))
                        foreach (var property in info.Properties.Where(p => LocalOnly.Any(n => string.Equals(n, p.Name, StringComparison.OrdinalIgnoreCase))).ToList())
                            info.Properties.Remove(property);
                },
            },
        },
    };

    /// <summary>Reads and checks a config file.</summary>
    /// <param name="file">The config file.</param>
    /// <param name="needSweep">True when the config must have a sweep section.</param>
    /// <exception cref="ConfigException">The config is unusable.</exception>
    public static LoadedConfig Load(string file, bool needSweep)
    {
        var full = Path.GetFullPath(file);
        if (!System.IO.File.Exists(full)) throw new ConfigException(file, "$", "the file does not exist (expected a JSON config).");
        var folder = Path.GetDirectoryName(full)!;
        ConfigFile raw;
        try
        {
            raw = JsonSerializer.Deserialize<ConfigFile>(System.IO.File.ReadAllText(full), Json)
                ?? throw new ConfigException(file, "$", "expected an object, found null.");
        }
        catch (JsonException e)
        {
            throw FromJson(file, e);
        }

        var instructions = DataFile(file, folder, raw.Data.Instructions, "$.data.instructions", ["Prompt", "Response"]);
        var preferences = DataFile(file, folder, raw.Data.Preferences, "$.data.preferences", ["Prompt", "Chosen", "Rejected"]);
        if (raw.Data.MaxLength < 4) throw new ConfigException(file, "$.data.maxLength", $"expected an integer of at least 4, found {raw.Data.MaxLength}.");

        var options = (raw.Options ?? new JointPostTrainOptions()) with { Columns = PostTrainingColumnNames.Default };
        var model = raw.Model;
        if ((model.Folder is null) == (model.Config is null))
            throw new ConfigException(file, "$.model", "expected exactly one of \"folder\" (a Hugging Face model folder) and \"config\" (a config.json).");
        if (model.Folder is { } modelFolder)
        {
            var path = Path.GetFullPath(modelFolder, folder);
            if (!Directory.Exists(path)) throw new ConfigException(file, "$.model.folder", $"expected a model folder, but '{path}' does not exist.");
            if (model.Tokenizer is not null) throw new ConfigException(file, "$.model.tokenizer", "expected no tokenizer with \"folder\": the folder's tokenizer is used.");
            options = options with { BaseModel = path };
        }
        else
        {
            var path = Path.GetFullPath(model.Config!, folder);
            if (!System.IO.File.Exists(path)) throw new ConfigException(file, "$.model.config", $"expected a config.json file, but '{path}' does not exist.");
            CausalLmConfig config;
            try { config = CausalLmConfig.FromFile(path); }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or JsonException or NotSupportedException)
            {
                throw new ConfigException(file, "$.model.config", $"expected a Hugging Face config.json: {e.Message}", e);
            }
            CausalLmTokenizer tokenizer;
            if (model.Tokenizer is null or "byte-level") tokenizer = CausalLmTokenizer.CreateByteLevel();
            else
            {
                var tokenizerFolder = Path.GetFullPath(model.Tokenizer, folder);
                if (!Directory.Exists(tokenizerFolder)) throw new ConfigException(file, "$.model.tokenizer", $"expected \"byte-level\" or a tokenizer folder, but '{tokenizerFolder}' does not exist.");
                tokenizer = CausalLmTokenizer.FromPretrained(tokenizerFolder);
            }
            options = options with { BaseModelConfig = config, Tokenizer = tokenizer };
        }
        options = WithThreads(options);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(file, JsonPath("$.options", e.ParamName), e.Message, e);
        }

        ParetoSelectOptions? sweep = null;
        if (raw.Sweep is { } s)
        {
            sweep = new ParetoSelectOptions
            {
                Strategies = s.Strategies ?? new ParetoSelectOptions().Strategies,
                Lambdas = s.Lambdas ?? new ParetoSelectOptions().Lambdas,
                IncludeSequentialBaselines = s.IncludeSequentialBaselines ?? true,
                SequentialDpoEpochs = s.SequentialDpoEpochs,
                Rule = Rule(file, s.Rule),
                DpoOptimum = s.DpoOptimum,
                SftOptimum = s.SftOptimum,
            };
            try
            {
                new ParetoSweep(sweep).Plan(options);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException(file, JsonPath("$.sweep", e.ParamName), e.Message, e);
            }
        }
        else if (needSweep)
        {
            throw new ConfigException(file, "$.sweep", "expected a sweep section (strategies, lambdas, includeSequentialBaselines, sequentialDpoEpochs, rule, dpoOptimum, sftOptimum).");
        }
        var output = raw.Output is null ? null : Path.GetFullPath(raw.Output, folder);
        return new LoadedConfig(full, raw, options, sweep, instructions, raw.Data.Instructions.Columns, preferences, raw.Data.Preferences.Columns, raw.Data.MaxLength, output);
    }

    /// <summary>
    /// The config with every path made absolute, for a sweep's folder: workers on other machines read it
    /// there, whatever their working directory.
    /// </summary>
    public static string Resolved(LoadedConfig config)
    {
        var node = JsonNode.Parse(System.IO.File.ReadAllText(config.File))!.AsObject();
        node["data"]!["instructions"]!["path"] = config.Instructions;
        node["data"]!["preferences"]!["path"] = config.Preferences;
        var folder = Path.GetDirectoryName(config.File)!;
        var model = node["model"]!.AsObject();
        foreach (var name in new[] { "folder", "config" })
            if (model[name] is { } value) model[name] = Path.GetFullPath(value.GetValue<string>(), folder);
        if (model["tokenizer"] is { } tokenizer && tokenizer.GetValue<string>() != "byte-level")
            model["tokenizer"] = Path.GetFullPath(tokenizer.GetValue<string>(), folder);
        if (node["output"] is { } output) node["output"] = Path.GetFullPath(output.GetValue<string>(), folder);
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>
    /// Libtorch's threads follow the scheduler's allocation when the config leaves them at 0: SLURM_CPUS_PER_TASK,
    /// else the cores this process may run on (its affinity), since an array task can see every core of its node.
    /// The thread count is not part of any content key.
    /// </summary>
    public static JointPostTrainOptions WithThreads(JointPostTrainOptions options)
        => options.Runtime.Threads > 0 ? options : options with { Runtime = options.Runtime with { Threads = AllocatedCores() } };

    /// <summary>SLURM_CPUS_PER_TASK when set to a positive integer, else <see cref="Environment.ProcessorCount"/> (which follows the affinity mask on Linux).</summary>
    public static int AllocatedCores()
        => int.TryParse(Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK"), out var cpus) && cpus > 0 ? cpus : Environment.ProcessorCount;

    private static string DataFile(string file, string folder, DataFileConfig data, string path, string[] columns)
    {
        var full = Path.GetFullPath(data.Path, folder);
        if (!full.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) && !full.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            throw new ConfigException(file, path + ".path", $"expected a JSON Lines (.jsonl) or Parquet (.parquet) file, found '{data.Path}'.");
        if (!System.IO.File.Exists(full)) throw new ConfigException(file, path + ".path", $"expected an existing data file, but '{full}' does not exist.");
        foreach (var (key, column) in data.Columns ?? [])
            if (!columns.Contains(column))
                throw new ConfigException(file, $"{path}.columns.{key}", $"expected one of {string.Join(", ", columns)}, found '{column}'.");
        return full;
    }

    private static SelectionRule Rule(string file, RuleConfig? rule)
    {
        if (rule is null) return SelectionRule.MinIdealDistance;
        double Value() => rule.Value is { } v && double.IsFinite(v) ? v
            : throw new ConfigException(file, "$.sweep.rule.value", $"expected a finite number for the rule '{rule.Kind}'.");
        return rule.Kind switch
        {
            "minIdealDistance" => rule.Value is null ? SelectionRule.MinIdealDistance
                : throw new ConfigException(file, "$.sweep.rule.value", "expected no value for minIdealDistance."),
            "minMixGap" => SelectionRule.MinMixGap(Value()),
            "bestSftWithDpoAtMost" => SelectionRule.BestSftWithDpoAtMost(Value()),
            "bestDpoWithSftAtMost" => SelectionRule.BestDpoWithSftAtMost(Value()),
            _ => throw new ConfigException(file, "$.sweep.rule.kind", $"expected one of minIdealDistance, minMixGap, bestSftWithDpoAtMost, bestDpoWithSftAtMost, found '{rule.Kind}'."),
        };
    }

    // "Strategy.Lambda" under $.options is $.options.strategy.lambda.
    private static string JsonPath(string root, string? parameter)
    {
        if (string.IsNullOrWhiteSpace(parameter) || parameter == "options") return root;
        var parts = parameter.Split('.', StringSplitOptions.RemoveEmptyEntries).Where(p => p != nameof(JointPostTrainOptions) && p != nameof(ParetoSelectOptions));
        return root + string.Concat(parts.Select(p => "." + JsonNamingPolicy.CamelCase.ConvertName(p)));
    }

    private static ConfigException FromJson(string file, JsonException e)
    {
        var path = e.Path ?? "$";
        var message = e.Message;
        var unknown = Regex.Match(message, "The JSON property '([^']*)' could not be mapped to any \\.NET member contained in type '([^']*)'");
        if (unknown.Success)
        {
            var type = FindType(unknown.Groups[2].Value);
            var known = type is null ? "" : " (expected one of: " + string.Join(", ", Json.GetTypeInfo(type).Properties.Where(p => p.Set is not null).Select(p => p.Name)) + ")";
            var at = path.EndsWith("." + unknown.Groups[1].Value, StringComparison.Ordinal) ? path : path + "." + unknown.Groups[1].Value;
            return new ConfigException(file, at, $"unknown name '{unknown.Groups[1].Value}'{known}.", e);
        }
        var convert = Regex.Match(message, "could not be converted to ([^.]+(?:\\.[^ .]+)*)\\. Path");
        if (convert.Success) return new ConfigException(file, path, "expected " + Expected(convert.Groups[1].Value) + ".", e);
        var missing = Regex.Match(message, "missing required properties including: (.*)\\.");
        if (missing.Success) return new ConfigException(file, path, $"missing required {missing.Groups[1].Value}.", e);
        var nullValue = Regex.Match(message, "was (?:null|not nullable)|cannot be null|non-nullable");
        if (nullValue.Success) return new ConfigException(file, path, $"expected a value, found null ({e.Message})", e);
        return new ConfigException(file, path, e.Message.Split(" Path:")[0], e);
    }

    private static string Expected(string typeName)
    {
        var nullable = Regex.Match(typeName, "^System\\.Nullable`1\\[(.*?)(,.*)?\\]$");
        if (nullable.Success) typeName = nullable.Groups[1].Value.Trim('[');
        var type = FindType(typeName);
        if (type is { IsEnum: true }) return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => JsonNamingPolicy.CamelCase.ConvertName(n)));
        return typeName switch
        {
            "System.Double" or "System.Single" => "a number",
            "System.Int32" or "System.Int64" => "an integer",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            _ when type is not null && (type.IsClass || type.IsValueType) && !type.IsPrimitive && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && type != typeof(string) => "an array",
            _ when type is not null => $"an object ({type.Name})",
            _ => typeName,
        };
    }

    private static Type? FindType(string name)
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            if (assembly.GetType(name, throwOnError: false) is { } type) return type;
        return null;
    }
}
