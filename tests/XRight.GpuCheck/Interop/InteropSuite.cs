using System.Text.Json;
using System.Text.Json.Nodes;
using XRight.Modeling;
using XRight.Modeling.Lora;
using static TorchSharp.torch;

namespace XRight.Interop;

/// <summary>
/// The interoperability suite: tiny random models of every family XRight builds, each saved as a Hugging Face
/// folder in float32, in bfloat16 and in shards, with a PEFT LoRA adapter and the same adapter merged into a
/// folder; beside each folder, the outputs of the model read back from it (logits for fixed ids without a mask,
/// with a mask and as a left-padded batch, and greedy 20-token continuations of two prompts). transformers and
/// PEFT load the same folders and compare (tools/interop/check.py); folders saved by transformers come back with
/// transformers' outputs in the same layout, which <see cref="Compare"/> checks against XRight.
/// This file is compiled into the GPU check program (its <c>interop</c> section) and into the core tests.
/// </summary>
internal static class InteropSuite
{
    public const string Schema = "xright-interop/1";
    public const string ManifestFile = "manifest.json";

    /// <summary>Max abs difference of float32 logits (either side float32).</summary>
    public const double Float32Tolerance = 1e-4;

    /// <summary>
    /// Max abs difference of logits of a bfloat16 model from the float32 ones of the same weights: bfloat16 keeps
    /// 8 significant bits (relative step 2⁻⁸ ≈ 0.4 %) and every matmul of the two layers rounds; the logits of
    /// these tiny models are of order 0.1 to 1.
    /// </summary>
    public const double BFloat16Tolerance = 3e-2;

    /// <summary>Greedy continuation length.</summary>
    public const int NewTokens = 20;

    public const int ModelSeed = 5;
    public const int LoraSeed = 31;

    /// <summary>Spread of the random lora_B: large enough that every adapter moves the logits well past the float32 tolerance.</summary>
    public const double LoraBStd = 0.1;

    /// <summary>Shard limit for the sharded folders: small enough that each tiny model spans several files.</summary>
    public const long ShardBytes = 48 * 1024;

    private static readonly string[] LlamaTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>Every model of the suite, by name.</summary>
    public static IReadOnlyList<InteropModel> Models { get; } =
    [
        new("gpt_neox-parallel", () => CausalLmConfig.CreateGptNeoX(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4,
            intermediateSize: 64, rotaryPct: 0.25, useParallelResidual: true, maxPositionEmbeddings: 64, bosTokenId: 1, eosTokenId: 2),
            ["query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"]),
        new("gpt_neox-sequential", () => CausalLmConfig.CreateGptNeoX(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4,
            intermediateSize: 64, rotaryPct: 0.5, useParallelResidual: false, maxPositionEmbeddings: 64, bosTokenId: 1, eosTokenId: 2),
            ["query_key_value", "dense_h_to_4h"]),
        new("llama-gqa", () => CausalLmConfig.CreateLlama(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2,
            intermediateSize: 48, tieWordEmbeddings: false, maxPositionEmbeddings: 64), LlamaTargets),
        new("llama-tied", () => CausalLmConfig.CreateLlama(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 1,
            intermediateSize: 48, tieWordEmbeddings: true, maxPositionEmbeddings: 64), ["q_proj", "v_proj"]),
        new("llama3-rope-head_dim", () => Edit(CausalLmConfig.CreateLlama(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4,
            numKeyValueHeads: 2, intermediateSize: 48, maxPositionEmbeddings: 64, ropeTheta: 500000), json =>
            {
                json["head_dim"] = 16; // ≠ hidden_size / num_attention_heads = 8
                json["rope_scaling"] = new JsonObject
                {
                    ["rope_type"] = "llama3", ["factor"] = 8.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0,
                    ["original_max_position_embeddings"] = 16,
                };
            }), LlamaTargets),
        new("qwen2", () => CausalLmConfig.CreateLlama(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2,
            intermediateSize: 48, qwen2: true, maxPositionEmbeddings: 64), LlamaTargets),
        new("mistral", () => Edit(CausalLmConfig.CreateLlama(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4, numKeyValueHeads: 2,
            intermediateSize: 48, maxPositionEmbeddings: 64), json =>
            {
                json["architectures"] = new JsonArray("MistralForCausalLM");
                json["model_type"] = "mistral";
                json["sliding_window"] = 4096;
                json.Remove("attention_bias");
                json.Remove("mlp_bias");
                json.Remove("rope_scaling");
            }), LlamaTargets),
        new("opt-pre_ln", () => CausalLmConfig.CreateOpt(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4, ffnDim: 64,
            maxPositionEmbeddings: 64), ["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"]),
        new("opt-post_ln-proj", () => CausalLmConfig.CreateOpt(vocabSize: 128, hiddenSize: 32, numLayers: 2, numHeads: 4, ffnDim: 64,
            wordEmbedProjDim: 16, doLayerNormBefore: false, maxPositionEmbeddings: 64), ["q_proj", "v_proj", "fc1"]),
    ];

    /// <summary>Fixed token ids [2, 12] in [3, vocab) (ids 0–2 are the special tokens of these configurations).</summary>
    public static long[][] FixedIds(int vocab, int seed = 21)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 12).Select(_ => (long)random.Next(3, vocab)).ToArray())];
    }

    /// <summary>The prompts of the greedy continuations.</summary>
    public static int[][] Prompts(int vocab, int seed = 23)
    {
        var random = new Random(seed);
        return [[.. Enumerable.Range(0, 5).Select(_ => random.Next(3, vocab))], [.. Enumerable.Range(0, 9).Select(_ => random.Next(3, vocab))]];
    }

    /// <summary>The three forward cases for <paramref name="ids"/>: no mask; right padding masked; two rows left-padded with <paramref name="pad"/>.</summary>
    public static IReadOnlyList<ForwardCase> Cases(long[][] ids, long pad)
    {
        int length = ids[0].Length;
        long[] Ones(int zerosAtEnd) => [.. Enumerable.Range(0, length).Select(t => t < length - zerosAtEnd ? 1L : 0L)];
        var shortRow = ids[1][..7];
        return
        [
            new ForwardCase("plain", ids, null),
            new ForwardCase("masked", ids, [Ones(0), Ones(4)]),
            new ForwardCase("left_padded", [ids[0], [.. Enumerable.Repeat(pad, length - shortRow.Length), .. shortRow]],
                [Ones(0), [.. Enumerable.Range(0, length).Select(t => t < length - shortRow.Length ? 0L : 1L)]]),
        ];
    }

    /// <summary>Writes every model of the suite under <paramref name="folder"/> (created; must be empty or hold an earlier manifest) and the manifest.</summary>
    public static InteropManifest Export(string folder, TextWriter? log = null)
    {
        if (Directory.Exists(folder))
        {
            if (!File.Exists(Path.Combine(folder, ManifestFile)) && Directory.EnumerateFileSystemEntries(folder).Any())
                throw new IOException($"'{folder}' exists and holds no {ManifestFile}; refusing to overwrite it.");
            Directory.Delete(folder, recursive: true);
        }
        Directory.CreateDirectory(folder);
        var entries = new List<InteropEntry>();
        foreach (var spec in Models)
        {
            entries.AddRange(ExportModel(folder, spec));
            log?.WriteLine($"  {spec.Name}: {string.Join(", ", entries.Where(e => e.Model == spec.Name).Select(e => e.Variant))}");
        }
        var manifest = new InteropManifest { Producer = "xright", Entries = entries };
        File.WriteAllText(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, Json));
        return manifest;
    }

    /// <summary>fp32, bf16, sharded, lora (adapter on fp32) and merged folders of one model, each with its outputs.</summary>
    public static IReadOnlyList<InteropEntry> ExportModel(string root, InteropModel spec)
    {
        var config = spec.Config();
        string Dir(string variant) => Path.Combine(root, spec.Name, variant);
        var entries = new List<InteropEntry>();
        using (var model = CausalLm.Create(config, new ModelOptions { Seed = ModelSeed }))
        {
            model.SavePretrained(Dir("fp32"));
            model.SavePretrained(Dir("sharded"), maxShardBytes: ShardBytes);
        }
        using (var bf16 = CausalLm.FromPretrained(Dir("fp32"), new ModelOptions { Dtype = ModelDtype.BFloat16 }))
            bf16.SavePretrained(Dir("bf16"));

        foreach (var (variant, dtype) in new[] { ("fp32", "float32"), ("sharded", "float32"), ("bf16", "bfloat16") })
        {
            var entry = new InteropEntry { Model = spec.Name, Variant = variant, Kind = "model", Folder = $"{spec.Name}/{variant}", Dtype = dtype, ModelType = config.ModelType };
            using var loaded = Load(root, entry);
            entries.Add(WriteOutputs(root, entry, loaded));
        }

        var options = new LoraOptions { Rank = 4, Alpha = 8, TargetModules = spec.LoraTargets };
        using (var model = CausalLm.FromPretrained(Dir("fp32")))
        {
            model.ApplyLora(options);
            RandomizeLoraB(model, LoraSeed, LoraBStd);
            model.SaveLoraAdapter(Dir("lora"));
            model.SavePretrained(Dir("merged"));
        }
        var adapter = new InteropEntry
        {
            Model = spec.Name, Variant = "lora", Kind = "adapter", Folder = $"{spec.Name}/lora", Base = $"{spec.Name}/fp32", Dtype = "float32", ModelType = config.ModelType,
        };
        using (var loaded = Load(root, adapter)) entries.Add(WriteOutputs(root, adapter, loaded));
        var merged = new InteropEntry { Model = spec.Name, Variant = "merged", Kind = "model", Folder = $"{spec.Name}/merged", Dtype = "float32", ModelType = config.ModelType };
        using (var loaded = Load(root, merged)) entries.Add(WriteOutputs(root, merged, loaded));
        return entries;
    }

    /// <summary>The entry's model as XRight reads it: the folder, or for an adapter its base folder with the adapter loaded.</summary>
    public static CausalLm Load(string root, InteropEntry entry)
    {
        var options = new ModelOptions { Dtype = entry.Dtype == "bfloat16" ? ModelDtype.BFloat16 : ModelDtype.Float32 };
        if (entry.Kind != "adapter") return CausalLm.FromPretrained(Path.Combine(root, entry.Folder), options);
        var model = CausalLm.FromPretrained(Path.Combine(root, entry.Base ?? throw new InvalidDataException($"{entry.Folder}: an adapter entry needs a base.")), options);
        model.LoadLoraAdapter(Path.Combine(root, entry.Folder));
        model.eval();
        return model;
    }

    /// <summary>XRight's outputs of <paramref name="model"/> for the fixed cases and prompts.</summary>
    public static InteropOutputs Compute(CausalLm model, string producer) =>
        Compute(model, producer, Cases(FixedIds(model.Config.VocabSize), model.Config.PadTokenId ?? 0), Prompts(model.Config.VocabSize));

    /// <summary>XRight's outputs of <paramref name="model"/> for the given cases and prompts (those of recorded outputs, to compare with them).</summary>
    public static InteropOutputs Compute(CausalLm model, string producer, IReadOnlyList<ForwardCase> forwardCases, IReadOnlyList<int[]> prompts)
    {
        var cases = new List<CaseOutput>();
        foreach (var c in forwardCases)
            cases.Add(new CaseOutput { Name = c.Name, Ids = c.Ids, Mask = c.Mask, Logits = Logits(model, c) });
        var generated = model.Generate(prompts, new GenerationOptions { MaxNewTokens = NewTokens, StopTokenIds = [] });
        return new InteropOutputs
        {
            Producer = producer,
            Dtype = model.Dtype == ScalarType.BFloat16 ? "bfloat16" : "float32",
            Cases = cases,
            Generations = [.. prompts.Select((p, i) => new GenerationOutput { Prompt = p, Tokens = generated[i].TokenIds })],
        };
    }

    private static float[][][] Logits(CausalLm model, ForwardCase c)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int rows = c.Ids.Length, length = c.Ids[0].Length;
        var ids = tensor(c.Ids.SelectMany(r => r).ToArray(), [rows, length], ScalarType.Int64);
        var mask = c.Mask is null ? null : tensor(c.Mask.SelectMany(r => r).ToArray(), [rows, length], ScalarType.Int64);
        var logits = model.Forward(ids, mask).to(ScalarType.Float32).cpu();
        int vocab = (int)logits.shape[2];
        var flat = logits.data<float>().ToArray();
        return [.. Enumerable.Range(0, rows).Select(b => Enumerable.Range(0, length).Select(t => flat.AsSpan((b * length + t) * vocab, vocab).ToArray()).ToArray())];
    }

    private static InteropEntry WriteOutputs(string root, InteropEntry entry, CausalLm model)
    {
        var outputs = Compute(model, "xright") with { Model = entry.Model, Variant = entry.Variant };
        string relative = entry.Folder + ".outputs.json";
        File.WriteAllText(Path.Combine(root, relative), JsonSerializer.Serialize(outputs, Json));
        return entry with { Outputs = relative };
    }

    /// <summary>Draws every lora_B from N(0, <paramref name="std"/>²) so that the adapter changes the logits (B starts at zero).</summary>
    public static void RandomizeLoraB(CausalLm model, int seed, double std = 0.02)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
            if (name.EndsWith("lora_B.weight", StringComparison.Ordinal))
            {
                using var values = empty(parameter.shape, ScalarType.Float32).normal_(0, std, generator);
                parameter.copy_(values);
            }
    }

    public static InteropManifest ReadManifest(string folder) =>
        JsonSerializer.Deserialize<InteropManifest>(File.ReadAllText(Path.Combine(folder, ManifestFile)), Json)
        ?? throw new InvalidDataException($"{folder}/{ManifestFile} is empty.");

    public static InteropOutputs ReadOutputs(string root, InteropEntry entry) =>
        JsonSerializer.Deserialize<InteropOutputs>(File.ReadAllText(Path.Combine(root, entry.Outputs ?? throw new InvalidDataException($"{entry.Folder}: no outputs file."))), Json)
        ?? throw new InvalidDataException($"{entry.Outputs} is empty.");

    /// <summary>
    /// XRight's outputs for <paramref name="entry"/> against the recorded ones: max abs logit difference over the
    /// real (unmasked) positions of every case, and the greedy tokens. The tolerance is
    /// <see cref="Float32Tolerance"/> when both sides ran in float32, else <see cref="BFloat16Tolerance"/>.
    /// </summary>
    public static Comparison Compare(string root, InteropEntry entry)
    {
        var expected = ReadOutputs(root, entry);
        using var model = Load(root, entry);
        var actual = Compute(model, "xright", [.. expected.Cases.Select(c => new ForwardCase(c.Name, c.Ids, c.Mask))], [.. expected.Generations.Select(g => g.Prompt)]);
        double tolerance = expected.Dtype == "float32" && actual.Dtype == "float32" ? Float32Tolerance : BFloat16Tolerance;
        return Compare(entry.Folder, expected, actual, tolerance);
    }

    public static Comparison Compare(string name, InteropOutputs expected, InteropOutputs actual, double tolerance, bool compareTokens = true)
    {
        double maxAbs = 0;
        var problems = new List<string>();
        foreach (var e in expected.Cases)
        {
            var a = actual.Cases.FirstOrDefault(x => x.Name == e.Name);
            if (a is null) { problems.Add($"case {e.Name} missing"); continue; }
            if (!e.Ids.Zip(a.Ids).All(p => p.First.SequenceEqual(p.Second))) { problems.Add($"case {e.Name}: different ids"); continue; }
            for (int b = 0; b < e.Logits.Length; b++)
                for (int t = 0; t < e.Logits[b].Length; t++)
                {
                    if (e.Mask is not null && e.Mask[b][t] == 0) continue; // padding: outputs nobody reads
                    for (int v = 0; v < e.Logits[b][t].Length; v++)
                        maxAbs = Math.Max(maxAbs, Math.Abs((double)e.Logits[b][t][v] - a.Logits[b][t][v]));
                }
        }
        for (int i = 0; compareTokens && i < expected.Generations.Count; i++)
        {
            var e = expected.Generations[i].Tokens;
            var a = i < actual.Generations.Count ? actual.Generations[i].Tokens : [];
            if (!e.SequenceEqual(a)) problems.Add($"greedy tokens of prompt {i}: expected [{string.Join(" ", e)}], XRight [{string.Join(" ", a)}]");
        }
        if (!(maxAbs <= tolerance)) problems.Add($"logits differ by {maxAbs:G3} > {tolerance:G3}");
        return new Comparison(name, maxAbs, tolerance, problems);
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    private static CausalLmConfig Edit(CausalLmConfig config, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        edit(json);
        return CausalLmConfig.FromJson(json.ToJsonString(), "interop");
    }
}

/// <summary>One model of the suite: its configuration and the modules its LoRA adapter targets.</summary>
internal sealed record InteropModel(string Name, Func<CausalLmConfig> Config, IReadOnlyList<string> LoraTargets);

/// <summary>Ids [rows][length] and an optional attention mask of the same shape (1 real, 0 padding).</summary>
internal sealed record ForwardCase(string Name, long[][] Ids, long[][]? Mask);

/// <summary>The manifest of an export folder; paths are relative to its folder.</summary>
internal sealed record InteropManifest
{
    public string Schema { get; init; } = InteropSuite.Schema;

    /// <summary><c>xright</c> or <c>transformers</c>: who saved the folders and computed the outputs.</summary>
    public required string Producer { get; init; }
    public Dictionary<string, string>? Versions { get; init; }
    public required IReadOnlyList<InteropEntry> Entries { get; init; }
}

/// <summary>One folder: a model (<c>kind</c> "model") or a PEFT adapter on <see cref="Base"/> ("adapter").</summary>
internal sealed record InteropEntry
{
    public required string Model { get; init; }
    public required string Variant { get; init; }
    public required string Kind { get; init; }
    public required string Folder { get; init; }
    public string? Base { get; init; }
    public required string Dtype { get; init; }
    public string? ModelType { get; init; }
    public string? Outputs { get; init; }
}

internal sealed record InteropOutputs
{
    public string Schema { get; init; } = InteropSuite.Schema;
    public required string Producer { get; init; }
    public string? Model { get; init; }
    public string? Variant { get; init; }
    public required string Dtype { get; init; }
    public required IReadOnlyList<CaseOutput> Cases { get; init; }
    public required IReadOnlyList<GenerationOutput> Generations { get; init; }
}

internal sealed record CaseOutput
{
    public required string Name { get; init; }
    public required long[][] Ids { get; init; }
    public long[][]? Mask { get; init; }

    /// <summary>[rows][length][vocab], float32; positions where the mask is 0 are not compared.</summary>
    public required float[][][] Logits { get; init; }
}

internal sealed record GenerationOutput
{
    public required int[] Prompt { get; init; }
    public required int[] Tokens { get; init; }
}

internal sealed record Comparison(string Name, double MaxAbs, double Tolerance, IReadOnlyList<string> Problems)
{
    public bool Passed => Problems.Count == 0;
    public override string ToString() => $"{Name}: max abs {MaxAbs:G3} (tolerance {Tolerance:G3}){(Passed ? "" : "; " + string.Join("; ", Problems))}";
}
