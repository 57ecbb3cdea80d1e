using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TorchSharp.Modules;
using XRight.IO;
using XRight.Modeling.Layers;
using XRight.Modeling.SafeTensors;
using static TorchSharp.torch;

namespace XRight.Modeling.HuggingFace;

/// <summary>
/// Reads and writes Hugging Face model folders: <c>config.json</c>, <c>generation_config.json</c> and
/// safetensors weights (single file or shards).
/// </summary>
internal static partial class PretrainedFolder
{
    public const string ConfigFileName = "config.json";
    public const string GenerationConfigFileName = "generation_config.json";

    public static CausalLm Load(string folder, ModelOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The model folder '{folder}' does not exist.");
        var configPath = Path.Combine(folder, ConfigFileName);
        if (File.Exists(configPath) && SafeTensorsCheckpoint.Exists(folder)) ConfigPlausibility.Check(configPath, folder);
        var config = CausalLmConfig.FromFile(configPath);
        if (!SafeTensorsCheckpoint.Exists(folder))
        {
            bool pickle = File.Exists(Path.Combine(folder, "pytorch_model.bin")) || File.Exists(Path.Combine(folder, "pytorch_model.bin.index.json"));
            throw pickle
                ? new NotSupportedException($"The model folder '{folder}' holds PyTorch pickle weights (pytorch_model.bin); only safetensors are read. Re-save the model with safe_serialization=True.")
                : new FileNotFoundException($"The model folder '{folder}' holds no weights: expected model.safetensors or model.safetensors.index.json.");
        }

        var model = CausalLm.CreateUninitialized(config, options);
        try
        {
            var targets = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            bool Ignorable(string name) => IsBenignExtra(name) || (config.TieWordEmbeddings && name == model.OutputHeadName + ".weight");
            var stored = SafeTensorsCheckpoint.TensorNames(folder);
            var rename = TrunkRenaming(model, stored);
            WeightBinding.CheckNames(folder, targets.Keys, stored.Select(rename), Ignorable);
            var loaded = SafeTensorsCheckpoint.Load(folder, options.Dtype.ToScalarType(), options.Device);
            WeightBinding.Assign(folder, targets, loaded.ToDictionary(kv => rename(kv.Key), kv => kv.Value, StringComparer.Ordinal));
            var generationConfig = Path.Combine(folder, GenerationConfigFileName);
            if (File.Exists(generationConfig)) model.GenerationConfigJson = File.ReadAllText(generationConfig);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the folder: weights (LoRA updates merged in when <paramref name="mergeLora"/>, never the
    /// adapter tensors), then the configuration with <c>torch_dtype</c> set to the weights' type, then
    /// the generation configuration.
    /// </summary>
    public static void Save(CausalLm model, string folder, long maxShardBytes, bool mergeLora, Action<string>? writeFirst = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        model.ThrowIfDisposed();
        AtomicFolder.Write(folder, staging =>
        {
            writeFirst?.Invoke(staging);
            using (var scope = NewDisposeScope())
            {
                var merged = model.LinearLayers().Where(l => mergeLora && l.Layer.HasLora).ToDictionary(l => l.Name + ".weight", l => l.Layer.MergedWeight(), StringComparer.Ordinal);
                var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                foreach (var (name, parameter) in model.named_parameters())
                    if (!IsAdapterTensor(name)) weights[name] = merged.TryGetValue(name, out var m) ? m : parameter;
                SafeTensorsCheckpoint.Save(staging, weights, maxShardBytes);
            }
            AtomicFile.WriteAllText(Path.Combine(staging, ConfigFileName), model.Config.ToJsonWithDtype(DtypeNames.HuggingFaceName(model.Dtype)));
            AtomicFile.WriteAllText(Path.Combine(staging, GenerationConfigFileName), model.GenerationConfigJson ?? DefaultGenerationConfig(model.Config));
        }, IsWrittenBySave);
    }

    /// <summary>
    /// The names a save governs: the configuration files and every weights file of either layout, so
    /// a save never leaves an older layout's weights beside its own.
    /// </summary>
    internal static bool IsWrittenBySave(string name) =>
        name is ConfigFileName or GenerationConfigFileName or SafeTensorsCheckpoint.SingleFileName or CheckpointIndex.FileName
        || (name.StartsWith("model-", StringComparison.Ordinal) && name.EndsWith(".safetensors", StringComparison.Ordinal));

    /// <summary>
    /// How stored tensor names become parameter names. A checkpoint saved from the bare trunk (transformers'
    /// base model, e.g. <c>OPTModel</c>: <c>decoder.layers.0.…</c>, as facebook/opt-350m and opt-6.7b and larger
    /// are published) has none of its names under the trunk's prefix; as transformers does, those names are
    /// read under it (<c>model.decoder.layers.0.…</c>), all but the output head's. Otherwise names are kept.
    /// </summary>
    private static Func<string, string> TrunkRenaming(CausalLm model, IReadOnlyList<string> stored)
    {
        string prefix = model.TrunkName + ".", head = model.OutputHeadName + ".";
        if (stored.Count == 0 || stored.Any(n => n.StartsWith(prefix, StringComparison.Ordinal))) return name => name;
        return name => name.StartsWith(head, StringComparison.Ordinal) ? name : prefix + name;
    }

    /// <summary>PEFT's parameter names for adapter weights.</summary>
    public static bool IsAdapterTensor(string name) => name.Contains(".lora_A.", StringComparison.Ordinal) || name.Contains(".lora_B.", StringComparison.Ordinal);

    // Buffers older checkpoints carry that this implementation recomputes: rotary inverse frequencies
    // and GPT-NeoX's causal-mask constants.
    internal static bool IsBenignExtra(string name) => BenignExtraPattern().IsMatch(name);

    [GeneratedRegex(@"(^|\.)rotary_emb\.inv_freq$|\.attention\.(bias|masked_bias)$")]
    private static partial Regex BenignExtraPattern();

    private static string DefaultGenerationConfig(CausalLmConfig config)
    {
        var json = new JsonObject { ["_from_model_config"] = true };
        if (config.BosTokenId is { } bos) json["bos_token_id"] = bos;
        if (config.EosTokenIds.Count == 1) json["eos_token_id"] = config.EosTokenIds[0];
        else if (config.EosTokenIds.Count > 1) json["eos_token_id"] = new JsonArray([.. config.EosTokenIds.Select(id => (JsonNode)id)]);
        if (config.PadTokenId is { } pad) json["pad_token_id"] = pad;
        return json.ToJsonString(JsonFile.Indented);
    }
}
