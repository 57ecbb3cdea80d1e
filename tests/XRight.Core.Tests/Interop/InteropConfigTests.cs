using System.Text.Json;
using System.Text.Json.Nodes;
using XRight.Interop;
using XRight.Modeling;

namespace XRight.Tests.Interop;

/// <summary>
/// The config.json that XRight writes for each family of the interoperability suite holds exactly the keys, with the
/// values, that the family's transformers configuration class reads: no key missing (a missing key silently takes
/// transformers' default, which may differ from XRight's) and none that the class does not know. The expectations are
/// written by hand from the __init__ arguments of configuration_gpt_neox.py, configuration_llama.py,
/// configuration_qwen2.py, configuration_mistral.py and configuration_opt.py, plus the keys every PretrainedConfig
/// reads (architectures, model_type, torch_dtype, tie_word_embeddings, bos/eos/pad_token_id, use_cache).
/// </summary>
[TestClass]
public sealed class InteropConfigTests
{
    // GPTNeoXConfig: rotary_pct and rotary_emb_base are its rotary keys (partial rotary: rotary_pct < 1); attention_bias
    // defaults to True and use_parallel_residual to True; hidden_act "gelu"; layer_norm_eps 1e-5.
    private const string GptNeoXCommon = """
        "architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "vocab_size": 128, "hidden_size": 32,
        "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "rotary_emb_base": 10000,
        "max_position_embeddings": 64, "layer_norm_eps": 1e-5, "hidden_act": "gelu", "attention_bias": true,
        "attention_dropout": 0.0, "hidden_dropout": 0.0, "initializer_range": 0.02, "tie_word_embeddings": false,
        "use_cache": true, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"
        """;

    // LlamaConfig: num_key_value_heads (GQA when fewer than the heads), rms_norm_eps, rope_theta, rope_scaling,
    // attention_bias and mlp_bias (False), head_dim (None: hidden_size / heads), hidden_act "silu".
    private const string LlamaCommon = """
        "vocab_size": 128, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4,
        "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "hidden_act": "silu", "attention_dropout": 0.0,
        "initializer_range": 0.02, "use_cache": true, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32"
        """;

    // OPTConfig: ffn_dim, word_embed_proj_dim (projections when ≠ hidden_size), do_layer_norm_before (False: post-LN,
    // as opt-350m), _remove_final_layer_norm, activation_function "relu", enable_bias, layer_norm_elementwise_affine,
    // dropout / attention_dropout / activation_dropout / layerdrop, init_std; pad 1, bos = eos = 2; tied head.
    private const string OptCommon = """
        "architectures": ["OPTForCausalLM"], "model_type": "opt", "vocab_size": 128, "hidden_size": 32, "ffn_dim": 64,
        "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 64, "_remove_final_layer_norm": false,
        "activation_function": "relu", "enable_bias": true, "layer_norm_elementwise_affine": true, "dropout": 0.0,
        "attention_dropout": 0.0, "activation_dropout": 0.0, "layerdrop": 0.0, "init_std": 0.02, "tie_word_embeddings": true,
        "use_cache": true, "bos_token_id": 2, "eos_token_id": 2, "pad_token_id": 1, "torch_dtype": "float32"
        """;

    private static readonly Dictionary<string, string> Expected = new()
    {
        ["gpt_neox-parallel"] = GptNeoXCommon + """, "rotary_pct": 0.25, "use_parallel_residual": true""",
        ["gpt_neox-sequential"] = GptNeoXCommon + """, "rotary_pct": 0.5, "use_parallel_residual": false""",
        ["llama-gqa"] = LlamaCommon + """
            , "architectures": ["LlamaForCausalLM"], "model_type": "llama", "num_key_value_heads": 2, "rope_theta": 10000,
            "rope_scaling": null, "tie_word_embeddings": false, "attention_bias": false, "mlp_bias": false
            """,
        ["llama-tied"] = LlamaCommon + """
            , "architectures": ["LlamaForCausalLM"], "model_type": "llama", "num_key_value_heads": 1, "rope_theta": 10000,
            "rope_scaling": null, "tie_word_embeddings": true, "attention_bias": false, "mlp_bias": false
            """,
        // rope_scaling of Llama 3.1 (rope_type "llama3": factor, low_freq_factor, high_freq_factor and
        // original_max_position_embeddings are all required by _compute_llama3_parameters).
        ["llama3-rope-head_dim"] = LlamaCommon + """
            , "architectures": ["LlamaForCausalLM"], "model_type": "llama", "num_key_value_heads": 2, "rope_theta": 500000,
            "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 16},
            "head_dim": 16, "tie_word_embeddings": false, "attention_bias": false, "mlp_bias": false
            """,
        // Qwen2Config: no attention_bias key (q/k/v always have biases); use_sliding_window False.
        ["qwen2"] = LlamaCommon + """
            , "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "num_key_value_heads": 2, "rope_theta": 10000,
            "rope_scaling": null, "tie_word_embeddings": false, "use_sliding_window": false
            """,
        // MistralConfig: sliding_window (4096 by default); no attention_bias, mlp_bias or rope_scaling arguments.
        ["mistral"] = LlamaCommon + """
            , "architectures": ["MistralForCausalLM"], "model_type": "mistral", "num_key_value_heads": 2, "rope_theta": 10000,
            "tie_word_embeddings": false, "sliding_window": 4096
            """,
        ["opt-pre_ln"] = OptCommon + """, "word_embed_proj_dim": 32, "do_layer_norm_before": true""",
        ["opt-post_ln-proj"] = OptCommon + """, "word_embed_proj_dim": 16, "do_layer_norm_before": false""",
    };

    [TestMethod]
    public void EveryModelOfTheSuiteHasExpectations() =>
        CollectionAssert.AreEquivalent(InteropSuite.Models.Select(m => m.Name).ToArray(), Expected.Keys.ToArray());

    [TestMethod]
    public void SavedConfigHoldsExactlyTheKeysTransformersReads()
    {
        var failures = new List<string>();
        foreach (var spec in InteropSuite.Models)
        {
            using var dir = new TempDirectory();
            using (var model = CausalLm.Create(spec.Config(), new ModelOptions { Seed = 1 }))
                model.SavePretrained(dir.Path);
            var actual = JsonNode.Parse(File.ReadAllText(dir.File("config.json")))!.AsObject();
            var expected = JsonNode.Parse("{" + Expected[spec.Name] + "}")!.AsObject();
            foreach (var key in expected.Select(p => p.Key).Except(actual.Select(p => p.Key)))
                failures.Add($"{spec.Name}: '{key}' missing");
            foreach (var key in actual.Select(p => p.Key).Except(expected.Select(p => p.Key)))
                failures.Add($"{spec.Name}: '{key}' ({actual[key]?.ToJsonString()}) is not expected");
            foreach (var (key, value) in expected)
                if (actual.ContainsKey(key) && !SameValue(value, actual[key]))
                    failures.Add($"{spec.Name}: '{key}' is {actual[key]?.ToJsonString() ?? "null"}, expected {value?.ToJsonString() ?? "null"}");

            // generation_config.json carries the special tokens transformers' generate reads.
            var generation = JsonNode.Parse(File.ReadAllText(dir.File("generation_config.json")))!.AsObject();
            if (!SameValue(expected["eos_token_id"], generation["eos_token_id"]))
                failures.Add($"{spec.Name}: generation_config.json eos_token_id {generation["eos_token_id"]?.ToJsonString()}");
        }
        Assert.AreEqual(0, failures.Count, string.Join("\n", failures));
    }

    // Numbers compare by value (10000 and 10000.0 are the same to Python's json), everything else by its JSON text.
    private static bool SameValue(JsonNode? expected, JsonNode? actual)
    {
        if (expected is null || actual is null) return expected is null && actual is null;
        if (expected is JsonObject eo && actual is JsonObject ao)
            return eo.Count == ao.Count && eo.All(p => ao.ContainsKey(p.Key) && SameValue(p.Value, ao[p.Key]));
        if (expected is JsonArray ea && actual is JsonArray aa)
            return ea.Count == aa.Count && ea.Zip(aa).All(p => SameValue(p.First, p.Second));
        if (expected.GetValueKind() == JsonValueKind.Number && actual.GetValueKind() == JsonValueKind.Number)
            return expected.GetValue<double>() == actual.GetValue<double>();
        return expected.ToJsonString() == actual.ToJsonString();
    }
}
