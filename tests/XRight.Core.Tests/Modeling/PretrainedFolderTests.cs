using System.Text.Json.Nodes;
using XRight.Modeling;
using XRight.Modeling.Lora;
using XRight.Modeling.SafeTensors;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class PretrainedFolderTests
{
    private static readonly long[] Tokens = [1, 40, 7, 7, 19, 3, 58];

    private static Tensor Logits(CausalLm model)
    {
        using var noGrad = no_grad();
        return model.Forward(TinyModels.Ids(Tokens));
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("llama-tied")]
    [DataRow("qwen2")]
    [DataRow("opt")]
    [DataRow("opt-proj")]
    [DataRow("opt-350m")]
    [DataRow("opt-bare")]
    public void SaveThenLoadGivesIdenticalLogits(string variant)
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        model.SavePretrained(dir.Path);

        CollectionAssert.AreEquivalent(new[] { "config.json", "generation_config.json", "model.safetensors" },
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).ToArray());
        var names = SafeTensorsCheckpoint.TensorNames(dir.Path);
        CollectionAssert.AreEquivalent(model.state_dict().Keys.ToArray(), names.ToArray());
        Assert.AreEqual(!model.Config.TieWordEmbeddings, names.Contains("lm_head.weight") || names.Contains("embed_out.weight"));
        var config = JsonNode.Parse(File.ReadAllText(dir.File("config.json")))!;
        Assert.AreEqual("float32", (string)config["torch_dtype"]!);
        Assert.AreEqual(model.Config.ModelType, (string)config["model_type"]!);

        using var loaded = CausalLm.FromPretrained(dir.Path);
        Assert.IsInstanceOfType(loaded, model.GetType());
        Assert.IsFalse(loaded.training, "loaded models start in evaluation mode");
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(Logits(model), Logits(loaded)));
    }

    [TestMethod]
    public void ShardedSavesLoadIdentically()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.SavePretrained(dir.Path, maxShardBytes: 16 * 1024);

        Assert.IsFalse(File.Exists(dir.File("model.safetensors")));
        Assert.IsTrue(File.Exists(dir.File("model.safetensors.index.json")));
        Assert.IsGreaterThan(2, Directory.GetFiles(dir.Path, "model-*-of-*.safetensors").Length);
        using var loaded = CausalLm.FromPretrained(dir.Path);
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(Logits(model), Logits(loaded)));
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    public void BFloat16RoundTripsExactlyAndStaysCloseToFloat32(string variant)
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.ByName(variant), dtype: ModelDtype.BFloat16);
        Assert.AreEqual(ScalarType.BFloat16, model.Dtype);
        model.SavePretrained(dir.Path);
        Assert.AreEqual("BF16", SafeTensorsFile.ReadHeader(dir.File("model.safetensors")).Entries[0].DType);
        Assert.AreEqual("bfloat16", (string)JsonNode.Parse(File.ReadAllText(dir.File("config.json")))!["torch_dtype"]!);

        using var again = CausalLm.FromPretrained(dir.Path, new ModelOptions { Dtype = ModelDtype.BFloat16 });
        var bf16 = Logits(model);
        Assert.AreEqual(ScalarType.BFloat16, bf16.dtype);
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(bf16, Logits(again)));

        // The same (bf16-representable) weights in float32: logits agree to bf16 precision.
        using var asFloat32 = CausalLm.FromPretrained(dir.Path);
        Assert.AreEqual(ScalarType.Float32, asFloat32.Dtype);
        var fp32 = Logits(asFloat32);
        double scale = fp32.abs().max().item<float>();
        Assert.IsLessThan(0.05 * scale, TinyModels.MaxAbsDifference(bf16, fp32));
    }

    [TestMethod]
    public void Float16WeightsLoadIntoAFloat32Model()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var fp32 = TinyModels.Randomized(TinyModels.Llama());
        using var fp16 = CausalLm.Create(fp32.Config, new ModelOptions { Dtype = ModelDtype.Float16 });
        using (no_grad())
        {
            var source = fp32.state_dict();
            foreach (var (name, p) in fp16.state_dict()) p.copy_(source[name]);
        }
        fp16.SavePretrained(dir.Path);
        Assert.AreEqual("F16", SafeTensorsFile.ReadHeader(dir.File("model.safetensors")).Entries[0].DType);
        Assert.AreEqual("float16", (string)JsonNode.Parse(File.ReadAllText(dir.File("config.json")))!["torch_dtype"]!);

        using var loaded = CausalLm.FromPretrained(dir.Path);
        var original = fp32.state_dict();
        foreach (var (name, p) in loaded.state_dict())
            Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(original[name].to(ScalarType.Float16).to(ScalarType.Float32), p), name);
        Assert.IsLessThan(0.01, TinyModels.MaxAbsDifference(Logits(fp32), Logits(loaded)));
        Assert.IsLessThan(0.05, TinyModels.MaxAbsDifference(Logits(fp32), Logits(fp16)), "a float16 forward pass runs and stays close");
    }

    [TestMethod]
    public void ALoraModelIsSavedWithTheUpdatesMergedAndNoAdapterTensors()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.NeoX());
        model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8, TargetModules = ["query_key_value", "dense_4h_to_h"] });
        LoraTests.PerturbAdapters(model);
        var adapted = Logits(model);
        model.SavePretrained(dir.Path);

        Assert.IsFalse(model.IsLoraMerged, "saving does not change the model");
        Assert.IsFalse(SafeTensorsCheckpoint.TensorNames(dir.Path).Any(n => n.Contains("lora_")));
        using var loaded = CausalLm.FromPretrained(dir.Path);
        Assert.IsNull(loaded.Lora);
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(adapted, Logits(loaded)));
    }

    [TestMethod]
    public void GenerationConfigIsWrittenAndKept()
    {
        using var dir = new TempDirectory();
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.SavePretrained(dir.Path);
        var written = JsonNode.Parse(File.ReadAllText(dir.File("generation_config.json")))!;
        Assert.AreEqual(1, (int)written["bos_token_id"]!);
        Assert.AreEqual(2, (int)written["eos_token_id"]!);

        File.WriteAllText(dir.File("generation_config.json"), """{"bos_token_id": 1, "eos_token_id": 2, "do_sample": true, "temperature": 0.6}""");
        using var loaded = CausalLm.FromPretrained(dir.Path);
        using var again = new TempDirectory();
        loaded.SavePretrained(again.Path);
        Assert.AreEqual(0.6, (double)JsonNode.Parse(File.ReadAllText(again.File("generation_config.json")))!["temperature"]!);
    }

    [TestMethod]
    public void MissingUnexpectedAndMisshapenWeightsAreListedByName()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.SavePretrained(dir.Path);
        var weights = SafeTensorsCheckpoint.Load(dir.Path);

        var broken = new Dictionary<string, Tensor>(weights);
        broken.Remove("model.layers.1.mlp.up_proj.weight");
        broken.Remove("model.norm.weight");
        broken["model.layers.0.self_attn.extra.weight"] = zeros(2);
        SafeTensorsFile.Save(dir.File("model.safetensors"), broken);
        var e = Assert.ThrowsExactly<CheckpointMismatchException>(() => CausalLm.FromPretrained(dir.Path));
        CollectionAssert.AreEqual(new[] { "model.layers.1.mlp.up_proj.weight", "model.norm.weight" }, e.Missing.ToArray());
        CollectionAssert.AreEqual(new[] { "model.layers.0.self_attn.extra.weight" }, e.Unexpected.ToArray());
        StringAssert.Contains(e.Message, "Missing (2): model.layers.1.mlp.up_proj.weight, model.norm.weight.");
        StringAssert.Contains(e.Message, dir.Path);

        var misshapen = new Dictionary<string, Tensor>(weights) { ["model.layers.0.self_attn.k_proj.weight"] = zeros(8, 31) };
        SafeTensorsFile.Save(dir.File("model.safetensors"), misshapen);
        e = Assert.ThrowsExactly<CheckpointMismatchException>(() => CausalLm.FromPretrained(dir.Path));
        CollectionAssert.AreEqual(new[] { "model.layers.0.self_attn.k_proj.weight: checkpoint [8, 31] vs model [16, 32]" }, e.ShapeMismatches.ToArray());

        // Buffers that older checkpoints carry are ignored.
        var withBuffers = new Dictionary<string, Tensor>(weights)
        {
            ["model.layers.0.self_attn.rotary_emb.inv_freq"] = ones(4),
        };
        SafeTensorsFile.Save(dir.File("model.safetensors"), withBuffers);
        using (var loaded = CausalLm.FromPretrained(dir.Path))
            Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(Logits(model), Logits(loaded)));
        foreach (var t in weights.Values) t.Dispose();
    }

    [TestMethod]
    [DataRow("opt-350m", "model.")]
    [DataRow("neox", "gpt_neox.")]
    public void WeightsOfTheBareTrunkAreReadUnderItsPrefix(string variant, string prefix)
    {
        // transformers' base models (OPTModel, GPTNeoXModel) save their names without the prefix the
        // model with a head adds; facebook/opt-350m is published that way (decoder.layers.0.…).
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        model.SavePretrained(dir.Path);
        var weights = SafeTensorsCheckpoint.Load(dir.Path);
        var bare = weights.ToDictionary(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) ? kv.Key[prefix.Length..] : kv.Key, kv => kv.Value);
        Assert.IsFalse(bare.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal)));
        SafeTensorsFile.Save(dir.File("model.safetensors"), bare);
        using (var loaded = CausalLm.FromPretrained(dir.Path))
            Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(Logits(model), Logits(loaded)));

        // Still strict: a missing tensor is named as the model names it.
        string dropped = bare.Keys.First(k => k.Contains("layers.1.", StringComparison.Ordinal));
        bare.Remove(dropped);
        SafeTensorsFile.Save(dir.File("model.safetensors"), bare);
        var e = Assert.ThrowsExactly<CheckpointMismatchException>(() => CausalLm.FromPretrained(dir.Path));
        CollectionAssert.AreEqual(new[] { prefix + dropped }, e.Missing.ToArray());
        foreach (var t in weights.Values) t.Dispose();
    }

    [TestMethod]
    public void OldGptNeoXBuffersAreIgnored()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.NeoX());
        var weights = model.state_dict();
        weights["gpt_neox.layers.0.attention.bias"] = ones([1, 1, 8, 8], ScalarType.Bool);
        weights["gpt_neox.layers.0.attention.masked_bias"] = tensor(-1e9f);
        weights["gpt_neox.layers.0.attention.rotary_emb.inv_freq"] = ones(4);
        model.SavePretrained(dir.Path);
        SafeTensorsFile.Save(dir.File("model.safetensors"), weights);
        using var loaded = CausalLm.FromPretrained(dir.Path);
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(Logits(model), Logits(loaded)));
    }

    [TestMethod]
    public void FolderProblemsAreReportedClearly()
    {
        using var dir = new TempDirectory();
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => CausalLm.FromPretrained(dir.File("absent")));
        Assert.ThrowsExactly<FileNotFoundException>(() => CausalLm.FromPretrained(dir.Path));
        File.WriteAllText(dir.File("config.json"), TinyModels.Llama().ToJson());
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => CausalLm.FromPretrained(dir.Path)).Message, "model.safetensors");
        File.WriteAllBytes(dir.File("pytorch_model.bin"), [0]);
        StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(() => CausalLm.FromPretrained(dir.Path)).Message, "safetensors");
    }
}
