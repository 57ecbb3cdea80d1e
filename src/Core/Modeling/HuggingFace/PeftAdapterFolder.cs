using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp.Modules;
using XRight.IO;
using XRight.Modeling.Lora;
using XRight.Modeling.SafeTensors;
using static TorchSharp.torch;

namespace XRight.Modeling.HuggingFace;

/// <summary>
/// LoRA adapters in the PEFT layout: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c>
/// with keys <c>base_model.model.&lt;module&gt;.lora_A.weight</c> [r, in] and <c>.lora_B.weight</c> [out, r].
/// </summary>
internal static class PeftAdapterFolder
{
    public const string ConfigFileName = "adapter_config.json";
    public const string WeightsFileName = "adapter_model.safetensors";
    private const string KeyPrefix = "base_model.model.";

    public static void Save(CausalLm model, LoraAdapters adapters, string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        model.ThrowIfDisposed();
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, layer) in adapters.Layers)
        {
            if (layer.LoraA.IsInvalid || layer.LoraB.IsInvalid)
                throw new ObjectDisposedException(model.Describe(), $"The LoRA adapter of '{name}' is disposed; {model.Describe()} cannot be saved.");
            weights[$"{KeyPrefix}{name}.lora_A.weight"] = layer.LoraA;
            weights[$"{KeyPrefix}{name}.lora_B.weight"] = layer.LoraB;
        }
        var config = ConfigJson(model, adapters);
        AtomicFolder.Write(folder, staging =>
        {
            SafeTensorsFile.Save(Path.Combine(staging, WeightsFileName), weights);
            AtomicFile.WriteAllText(Path.Combine(staging, ConfigFileName), config);
        }, name => name is WeightsFileName or ConfigFileName);
    }

    /// <summary>Reads the adapter's options from <c>adapter_config.json</c>, refusing PEFT features this library does not implement.</summary>
    public static LoraOptions ReadOptions(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var path = Path.Combine(folder, ConfigFileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"The adapter folder '{folder}' has no {ConfigFileName}.", path);
        var f = JsonFile.Parse(File.ReadAllText(path), path);

        string peftType = f.OptionalString("peft_type") ?? throw f.Missing("peft_type", "\"LORA\"");
        if (peftType != "LORA") throw new NotSupportedException($"{path}: peft_type '{peftType}' is not supported; only LORA adapters are.");
        if (f.OptionalString("task_type") is { } task && task != "CAUSAL_LM")
            throw new NotSupportedException($"{path}: task_type '{task}' is not supported; expected CAUSAL_LM.");
        if ((f.OptionalString("bias") ?? "none") != "none") throw new NotSupportedException($"{path}: bias '{f.OptionalString("bias")}' is not supported; only \"none\" is.");
        foreach (var flag in new[] { "use_dora", "fan_in_fan_out" })
            if (f.Bool(flag, false)) throw new NotSupportedException($"{path}: '{flag}': true is not supported.");
        foreach (var key in new[] { "modules_to_save", "layers_to_transform", "layers_pattern" })
            if (f.Json[key] is JsonArray { Count: > 0 } or JsonValue) throw new NotSupportedException($"{path}: '{key}' is not supported; it must be null.");
        foreach (var key in new[] { "rank_pattern", "alpha_pattern" })
            if (f.Json[key] is JsonObject { Count: > 0 }) throw new NotSupportedException($"{path}: per-layer '{key}' is not supported; it must be empty.");

        return new LoraOptions
        {
            Rank = f.Int("r"),
            Alpha = f.OptionalDouble("lora_alpha") ?? throw f.Missing("lora_alpha", "a number"),
            Dropout = f.Double("lora_dropout", 0),
            UseRsLora = f.Bool("use_rslora", false),
            TargetModules = ReadTargets(f),
        };
    }

    /// <summary>Loads the adapter weights into the model's adapters, strictly by name and shape.</summary>
    public static void LoadWeights(LoraAdapters adapters, string folder)
    {
        var path = Path.Combine(folder, WeightsFileName);
        if (!File.Exists(path))
        {
            bool pickle = File.Exists(Path.Combine(folder, "adapter_model.bin"));
            throw pickle
                ? new NotSupportedException($"The adapter folder '{folder}' holds PyTorch pickle weights (adapter_model.bin); only {WeightsFileName} is read.")
                : new FileNotFoundException($"The adapter folder '{folder}' has no {WeightsFileName}.", path);
        }
        var targets = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        foreach (var (name, layer) in adapters.Layers)
        {
            targets[$"{KeyPrefix}{name}.lora_A.weight"] = layer.LoraA;
            targets[$"{KeyPrefix}{name}.lora_B.weight"] = layer.LoraB;
        }
        WeightBinding.CheckNames(path, targets.Keys, SafeTensorsFile.ReadHeader(path).Entries.Select(e => e.Name), _ => false);
        WeightBinding.Assign(path, targets, SafeTensorsFile.Load(path));
    }

    private static IReadOnlyList<string> ReadTargets(JsonFile f)
    {
        switch (f.Json["target_modules"])
        {
            case null:
                return [];
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                return text == LoraOptions.AllLinear
                    ? [LoraOptions.AllLinear]
                    : throw new NotSupportedException($"{f.Source}: target_modules as a regular expression ('{text}') is not supported; give a list of module names.");
            case JsonArray array:
                return [.. array.Select(item => item is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw f.Wrong("target_modules", "a list of module names", array))];
            case var other:
                throw f.Wrong("target_modules", "a list of module names", other);
        }
    }

    private static string ConfigJson(CausalLm model, LoraAdapters adapters)
    {
        var options = adapters.Options;
        // PEFT records "all-linear" as the module names it expanded to.
        var targets = adapters.Targets is [LoraOptions.AllLinear]
            ? adapters.Layers.Select(l => l.Name[(l.Name.LastIndexOf('.') + 1)..]).Distinct().Order(StringComparer.Ordinal).ToList()
            : adapters.Targets.ToList();
        var json = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = model.SourceFolder,
            ["r"] = options.Rank,
            ["lora_alpha"] = options.Alpha,
            ["lora_dropout"] = options.Dropout,
            ["target_modules"] = new JsonArray([.. targets.Select(t => (JsonNode)t)]),
            ["bias"] = "none",
            ["use_rslora"] = options.UseRsLora,
            ["use_dora"] = false,
            ["fan_in_fan_out"] = false,
            ["init_lora_weights"] = true,
            ["inference_mode"] = true,
            ["modules_to_save"] = null,
            ["layers_to_transform"] = null,
            ["layers_pattern"] = null,
            ["rank_pattern"] = new JsonObject(),
            ["alpha_pattern"] = new JsonObject(),
            ["revision"] = null,
        };
        return json.ToJsonString(JsonFile.Indented);
    }
}
