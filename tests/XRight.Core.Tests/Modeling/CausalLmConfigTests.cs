using System.Text.Json.Nodes;
using XRight.Modeling;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class CausalLmConfigTests
{
    // The config.json of EleutherAI/pythia-1b (as published), with the old key names.
    private const string Pythia1b = """
        {
          "architectures": ["GPTNeoXForCausalLM"],
          "bos_token_id": 0,
          "eos_token_id": 0,
          "hidden_act": "gelu",
          "hidden_size": 2048,
          "initializer_range": 0.02,
          "intermediate_size": 8192,
          "layer_norm_eps": 1e-05,
          "max_position_embeddings": 2048,
          "model_type": "gpt_neox",
          "num_attention_heads": 8,
          "num_hidden_layers": 16,
          "rotary_emb_base": 10000,
          "rotary_pct": 0.25,
          "tie_word_embeddings": false,
          "torch_dtype": "float16",
          "transformers_version": "4.24.0",
          "use_cache": true,
          "use_parallel_residual": true,
          "vocab_size": 50304
        }
        """;

    // Llama-3.1-8B's keys that matter here: GQA, rope_theta 500000, llama3 rope scaling, an EOS list.
    private const string Llama31 = """
        {
          "architectures": ["LlamaForCausalLM"], "model_type": "llama", "attention_bias": false, "mlp_bias": false,
          "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu", "hidden_size": 4096,
          "intermediate_size": 14336, "max_position_embeddings": 131072, "num_attention_heads": 32, "num_hidden_layers": 32,
          "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "tie_word_embeddings": false,
          "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
          "torch_dtype": "bfloat16", "vocab_size": 128256
        }
        """;

    [TestMethod]
    public void ParsesPythiaWithItsOldKeyNames()
    {
        var c = CausalLmConfig.FromJson(Pythia1b);
        Assert.AreEqual(CausalLmArchitecture.GptNeoX, c.Architecture);
        Assert.AreEqual(256, c.HeadDim);
        Assert.AreEqual(64, c.RotaryDim);
        Assert.AreEqual(10000.0, c.RopeTheta);
        Assert.AreEqual(8, c.NumKeyValueHeads);
        Assert.IsTrue(c.UseParallelResidual && c.QkvBias && c.OutputBias && c.MlpBias);
        Assert.AreEqual(1e-5, c.NormEpsilon);
        CollectionAssert.AreEqual(new[] { 0 }, c.EosTokenIds.ToArray());
    }

    [TestMethod]
    public void ParsesLlama31WithGroupedQueryAttentionAndLlama3RopeScaling()
    {
        var c = CausalLmConfig.FromJson(Llama31);
        Assert.AreEqual(CausalLmArchitecture.Llama, c.Architecture);
        Assert.AreEqual(128, c.HeadDim);
        Assert.AreEqual(128, c.RotaryDim);
        Assert.AreEqual(8, c.NumKeyValueHeads);
        Assert.IsFalse(c.QkvBias || c.OutputBias || c.MlpBias);
        CollectionAssert.AreEqual(new[] { 128001, 128008, 128009 }, c.EosTokenIds.ToArray());

        // Band-wise rescaling, by hand: wavelength 2π/f against 8192/1 and 8192/4.
        var inv = c.Rotary!.InverseFrequencies();
        float plain(int i) => 1f / MathF.Pow(500000f, 2f * i / 128);
        Assert.AreEqual(plain(0), inv[0]);                       // wavelength 6.3 < 2048: kept
        Assert.AreEqual(plain(63) / 8, inv[63], 1e-12f);          // wavelength ≈ 3.7e6 > 8192: slowed by 8
        int mid = Enumerable.Range(0, 64).First(i => 2 * Math.PI / plain(i) is >= 2048 and <= 8192);
        double w = 2 * Math.PI / plain(mid), smooth = (8192 / w - 1) / 3;
        Assert.AreEqual((1 - smooth) * plain(mid) / 8 + smooth * plain(mid), inv[mid], 1e-9);
    }

    [TestMethod]
    public void Qwen2HasBiasesOnQueryKeyValueOnly()
    {
        var c = CausalLmConfig.CreateLlama(qwen2: true);
        Assert.AreEqual("qwen2", c.ModelType);
        Assert.IsTrue(c.QkvBias);
        Assert.IsFalse(c.OutputBias);
        Assert.IsNull(c.SlidingWindow);
    }

    [TestMethod]
    public void RoundTripsUnknownKeysAndWritesWhatTransformersNeeds()
    {
        var json = JsonNode.Parse(Pythia1b)!.AsObject();
        json["some_future_key"] = new JsonObject { ["nested"] = 3 };
        var c = CausalLmConfig.FromJson(json.ToJsonString());
        var written = JsonNode.Parse(c.ToJson())!.AsObject();
        Assert.AreEqual(3, (int)written["some_future_key"]!["nested"]!);
        Assert.AreEqual("4.24.0", (string)written["transformers_version"]!);
        Assert.IsTrue(JsonNode.DeepEquals(json, written));

        var created = JsonNode.Parse(CausalLmConfig.CreateLlama().ToJson())!.AsObject();
        foreach (var key in new[] { "architectures", "model_type", "torch_dtype", "hidden_size", "num_key_value_heads", "rms_norm_eps", "rope_theta", "tie_word_embeddings" })
            Assert.IsTrue(created.ContainsKey(key), key);
        Assert.AreEqual("LlamaForCausalLM", (string)created["architectures"]![0]!);
    }

    [TestMethod]
    public void ReadsTheNewestRopeParametersLayout()
    {
        var c = CausalLmConfig.FromJson("""
            {"model_type": "gpt_neox", "vocab_size": 10, "hidden_size": 16, "intermediate_size": 8, "num_hidden_layers": 1,
             "num_attention_heads": 2, "rope_parameters": {"rope_type": "default", "rope_theta": 500.0, "partial_rotary_factor": 0.5}}
            """);
        Assert.AreEqual(500.0, c.RopeTheta);
        Assert.AreEqual(4, c.RotaryDim);
    }

    [TestMethod]
    [DataRow("hidden_size", "30", "'num_attention_heads' (32) must divide 'hidden_size' (30)")]
    [DataRow("hidden_size", "-4", "'hidden_size' must be a positive integer, found -4")]
    [DataRow("num_key_value_heads", "3", "'num_key_value_heads' (3) must divide 'num_attention_heads' (32)")]
    [DataRow("vocab_size", "\"many\"", "'vocab_size' must be an integer, found \"many\"")]
    [DataRow("num_hidden_layers", null, "the key 'num_hidden_layers' is required")]
    public void InvalidValuesNameTheKeyAndTheValue(string key, string? value, string expected)
    {
        var json = JsonNode.Parse(Llama31)!.AsObject();
        if (value is null) json.Remove(key);
        else json[key] = JsonNode.Parse(value);
        json.Remove("rope_scaling");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => CausalLmConfig.FromJson(json.ToJsonString(), "models/x/config.json"));
        StringAssert.StartsWith(e.Message, "models/x/config.json: ");
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void UnsupportedFeaturesThrowNotSupported()
    {
        var yarn = JsonNode.Parse(Llama31)!.AsObject();
        yarn["rope_scaling"] = new JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 };
        StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(() => CausalLmConfig.FromJson(yarn.ToJsonString())).Message, "rope_scaling type 'yarn'");

        var gpt2 = JsonNode.Parse(Llama31)!.AsObject();
        gpt2["model_type"] = "gpt2";
        StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(() => CausalLmConfig.FromJson(gpt2.ToJsonString())).Message, "model_type 'gpt2'");

        var act = JsonNode.Parse(Llama31)!.AsObject();
        act["hidden_act"] = "quick_gelu";
        StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(() => CausalLmConfig.FromJson(act.ToJsonString())).Message, "quick_gelu");
    }

    [TestMethod]
    public void AnUnknownModelTypeIsRefusedWithTheTypesEachFamilyRegisters()
    {
        var bloom = JsonNode.Parse(Pythia1b)!.AsObject();
        bloom["model_type"] = "bloom";
        var e = Assert.ThrowsExactly<NotSupportedException>(() => CausalLmConfig.FromJson(bloom.ToJsonString(), "models/bloom/config.json"));
        Assert.AreEqual("models/bloom/config.json: model_type 'bloom' is not supported; supported: gpt_neox, llama, qwen2, mistral, opt.", e.Message);

        CollectionAssert.AreEqual(new[] { "gpt_neox", "llama", "qwen2", "mistral", "opt" }, CausalLmConfig.SupportedModelTypes.ToArray());
        CollectionAssert.AllItemsAreUnique(Architectures.All.SelectMany(a => a.ModelTypes).ToArray(), "a model_type belongs to one family");
    }

    [TestMethod]
    public void SlidingWindowIsRefusedOnlyWhereItWouldMatter()
    {
        var mistral = JsonNode.Parse(CausalLmConfig.CreateLlama().ToJson())!.AsObject();
        mistral["model_type"] = "mistral";
        mistral["sliding_window"] = 4;
        var config = CausalLmConfig.FromJson(mistral.ToJsonString());
        Assert.AreEqual(4, config.SlidingWindow);
        using var model = CausalLm.Create(config);
        using var noGrad = TorchSharp.torch.no_grad();
        model.Forward(TinyModels.Ids([1, 2, 3, 4])).Dispose();
        var e = Assert.ThrowsExactly<NotSupportedException>(() => model.Forward(TinyModels.Ids([1, 2, 3, 4, 5])));
        StringAssert.Contains(e.Message, "sliding-window attention of 4 positions");

        mistral["sliding_window"] = null;
        Assert.IsNull(CausalLmConfig.FromJson(mistral.ToJsonString()).SlidingWindow);
        mistral.Remove("sliding_window");
        Assert.AreEqual(4096, CausalLmConfig.FromJson(mistral.ToJsonString()).SlidingWindow);
    }

    [TestMethod]
    public void MissingFileAndBrokenJsonAreReported()
    {
        Assert.ThrowsExactly<FileNotFoundException>(() => CausalLmConfig.FromFile("/nonexistent/config.json"));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => CausalLmConfig.FromJson("{\"model_type\": ", "a/config.json"));
        StringAssert.StartsWith(e.Message, "a/config.json: not valid JSON");
    }
}
