using System.Text.Json.Nodes;
using XRight.Modeling;
using XRight.Modeling.Lora;
using XRight.Modeling.SafeTensors;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

/// <summary>What only OPT has: its config.json keys, learned positions with their offset, the optional projections and norms.</summary>
[TestClass]
public sealed class OptTests
{
    // The config.json of facebook/opt-125m as published: no tie_word_embeddings key (OPT ties by default).
    private const string Opt125m = """
        {
          "_name_or_path": "facebook/opt-125m",
          "_remove_final_layer_norm": false,
          "activation_dropout": 0.0,
          "activation_function": "relu",
          "architectures": ["OPTForCausalLM"],
          "attention_dropout": 0.0,
          "bos_token_id": 2,
          "do_layer_norm_before": true,
          "dropout": 0.1,
          "eos_token_id": 2,
          "ffn_dim": 3072,
          "hidden_size": 768,
          "init_std": 0.02,
          "layerdrop": 0.0,
          "max_position_embeddings": 2048,
          "model_type": "opt",
          "num_attention_heads": 12,
          "num_hidden_layers": 12,
          "pad_token_id": 1,
          "prefix": "</s>",
          "torch_dtype": "float16",
          "transformers_version": "4.21.0.dev0",
          "use_cache": true,
          "vocab_size": 50272,
          "word_embed_proj_dim": 768
        }
        """;

    private static readonly long[] Sequence = [2, 9, 33, 4, 17, 50, 8, 8, 21, 3];

    private static JsonObject Opt125mWith(string key, string? value)
    {
        var json = JsonNode.Parse(Opt125m)!.AsObject();
        if (value is null) json.Remove(key);
        else json[key] = JsonNode.Parse(value);
        return json;
    }

    [TestMethod]
    public void ReadsOpt125mWithItsOwnKeyNamesAndDefaults()
    {
        var c = CausalLmConfig.FromJson(Opt125m);
        Assert.AreEqual(CausalLmArchitecture.Opt, c.Architecture);
        Assert.AreEqual(768, c.HiddenSize);
        Assert.AreEqual(768, c.EmbeddingSize);
        Assert.AreEqual(3072, c.IntermediateSize);   // ffn_dim
        Assert.AreEqual(64, c.HeadDim);              // 768 / 12
        Assert.AreEqual(12, c.NumKeyValueHeads);
        Assert.AreEqual("relu", c.HiddenAct);        // activation_function
        Assert.AreEqual(0.02, c.InitializerRange);   // init_std
        Assert.AreEqual(0.1, c.HiddenDropout);       // dropout
        Assert.AreEqual(0.0, c.AttentionDropout);
        Assert.AreEqual(1e-5, c.NormEpsilon);
        Assert.AreEqual(2048, c.MaxPositionEmbeddings);
        Assert.IsTrue(c.TieWordEmbeddings, "OPTConfig ties the embeddings when the key is absent");
        Assert.IsTrue(c.DoLayerNormBefore && c.HasFinalNorm && c.NormElementwiseAffine);
        Assert.IsTrue(c.QkvBias && c.OutputBias && c.MlpBias);
        Assert.AreEqual(0, c.RotaryDim);
        Assert.IsNull(c.Rotary);
        Assert.AreEqual(2, c.BosTokenId);
        Assert.AreEqual(1, c.PadTokenId);
        CollectionAssert.AreEqual(new[] { 2 }, c.EosTokenIds.ToArray());
        Assert.IsTrue(JsonNode.DeepEquals(JsonNode.Parse(Opt125m), JsonNode.Parse(c.ToJson())), "the file is written back as read");
    }

    [TestMethod]
    public void ReadsTheOpt350mLayout()
    {
        var json = JsonNode.Parse(Opt125m)!.AsObject();
        json["hidden_size"] = 1024;
        json["word_embed_proj_dim"] = 512;
        json["ffn_dim"] = 4096;
        json["num_attention_heads"] = 16;
        json["num_hidden_layers"] = 24;
        json["do_layer_norm_before"] = false;
        var c = CausalLmConfig.FromJson(json.ToJsonString());
        Assert.AreEqual(1024, c.HiddenSize);
        Assert.AreEqual(512, c.EmbeddingSize);
        Assert.AreEqual(64, c.HeadDim);
        Assert.IsFalse(c.DoLayerNormBefore);
        Assert.IsFalse(c.HasFinalNorm, "post-LN OPT has no final_layer_norm");
    }

    [TestMethod]
    [DataRow("ffn_dim", null, typeof(InvalidDataException), "the key 'ffn_dim' is required")]
    [DataRow("ffn_dim", "0", typeof(InvalidDataException), "'ffn_dim' must be a positive integer, found 0")]
    [DataRow("word_embed_proj_dim", "-512", typeof(InvalidDataException), "'word_embed_proj_dim' must be a positive integer, found -512")]
    [DataRow("do_layer_norm_before", "\"yes\"", typeof(InvalidDataException), "'do_layer_norm_before' must be true or false")]
    [DataRow("enable_bias", "1", typeof(InvalidDataException), "'enable_bias' must be true or false")]
    [DataRow("layer_norm_elementwise_affine", "\"no\"", typeof(InvalidDataException), "'layer_norm_elementwise_affine' must be true or false")]
    [DataRow("_remove_final_layer_norm", "0", typeof(InvalidDataException), "'_remove_final_layer_norm' must be true or false")]
    [DataRow("dropout", "1.5", typeof(InvalidDataException), "'dropout' must be in [0, 1), found 1.5")]
    [DataRow("init_std", "-0.02", typeof(InvalidDataException), "'init_std' must be a positive number, found -0.02")]
    [DataRow("hidden_size", "770", typeof(InvalidDataException), "'num_attention_heads' (12) must divide 'hidden_size' (770)")]
    [DataRow("activation_function", "\"quick_gelu\"", typeof(NotSupportedException), "activation_function 'quick_gelu' is not supported")]
    [DataRow("layerdrop", "0.1", typeof(NotSupportedException), "layerdrop 0.1")]
    public void InvalidOrUnsupportedValuesAreRefusedWithTheKeyNamed(string key, string? value, Type exception, string expected)
    {
        var json = Opt125mWith(key, value).ToJsonString();
        Exception? thrown = null;
        try
        {
            CausalLmConfig.FromJson(json, "models/opt-125m/config.json");
        }
        catch (Exception e)
        {
            thrown = e;
        }
        Assert.IsNotNull(thrown, $"{key} = {value} should be refused");
        Assert.AreEqual(exception, thrown.GetType(), thrown.Message);
        StringAssert.StartsWith(thrown.Message, "models/opt-125m/config.json: ");
        StringAssert.Contains(thrown.Message, expected);
    }

    [TestMethod]
    public void ParametersHaveTheHuggingFaceNamesAndShapes()
    {
        using var model = CausalLm.Create(TinyModels.ByName("opt-350m"));
        Assert.IsInstanceOfType(model, typeof(OptForCausalLM));
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        var expected = new Dictionary<string, long[]>
        {
            ["model.decoder.embed_tokens.weight"] = [TinyModels.Vocab, 24],
            ["model.decoder.embed_positions.weight"] = [64 + 2, 32],
            ["model.decoder.project_in.weight"] = [32, 24],
            ["model.decoder.project_out.weight"] = [24, 32],
        };
        foreach (int l in new[] { 0, 1 })
        {
            string p = $"model.decoder.layers.{l}.";
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "out_proj" })
            {
                expected[$"{p}self_attn.{proj}.weight"] = [32, 32];
                expected[$"{p}self_attn.{proj}.bias"] = [32];
            }
            expected[p + "self_attn_layer_norm.weight"] = [32];
            expected[p + "self_attn_layer_norm.bias"] = [32];
            expected[p + "fc1.weight"] = [40, 32];
            expected[p + "fc1.bias"] = [40];
            expected[p + "fc2.weight"] = [32, 40];
            expected[p + "fc2.bias"] = [32];
            expected[p + "final_layer_norm.weight"] = [32];
            expected[p + "final_layer_norm.bias"] = [32];
        }
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), shapes.Keys.ToArray(), "post-LN: no model.decoder.final_layer_norm; tied: no lm_head");
        foreach (var (name, shape) in expected) CollectionAssert.AreEqual(shape, shapes[name], name);

        using var preLn = CausalLm.Create(TinyModels.ByName("opt-proj"));
        var names = preLn.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Contains("model.decoder.final_layer_norm.weight", names);
        Assert.Contains("model.decoder.final_layer_norm.bias", names);
        CollectionAssert.AreEqual(new long[] { TinyModels.Vocab, 24 }, preLn.named_parameters().Single(p => p.name == "lm_head.weight").parameter.shape);

        using var bare = CausalLm.Create(TinyModels.ByName("opt-bare"));
        var bareNames = bare.named_parameters().Select(p => p.name).ToList();
        Assert.IsFalse(bareNames.Any(n => n.Contains("norm") || n.EndsWith(".bias", StringComparison.Ordinal)), string.Join(", ", bareNames));
        Assert.HasCount(2 + 2 * 6, bareNames);
    }

    [TestMethod]
    [DataRow("opt")]
    [DataRow("opt-350m")]
    public void PaddedBatchesMatchTheReferenceOnEveryRealToken(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant), seed: 4);
        var reference = new ReferenceTransformer(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int[] shortRow = [2, 30, 12, 5];
        int[] longRow = [.. Sequence[..7].Select(t => (int)t)];

        // Left padding: the short row's real tokens sit at columns 3..6 with positions 0..3 (table rows 2..5).
        var left = model.Forward(TinyModels.Ids([1, 1, 1, .. shortRow.Select(t => (long)t)], [.. longRow.Select(t => (long)t)]),
            TinyModels.Ids([0, 0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]));
        AssertMatches(reference.Logits(shortRow), TinyModels.ToDoubles(left[0].narrow(0, 3, 4)));
        AssertMatches(reference.Logits(longRow), TinyModels.ToDoubles(left[1]));

        var right = model.Forward(TinyModels.Ids([.. shortRow.Select(t => (long)t), 1, 1, 1], [.. longRow.Select(t => (long)t)]),
            TinyModels.Ids([1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1]));
        AssertMatches(reference.Logits(shortRow), TinyModels.ToDoubles(right[0].narrow(0, 0, 4)));
        Assert.IsFalse(left.isnan().any().item<bool>() || right.isnan().any().item<bool>(), "padding positions must not produce NaN");
    }

    private static void AssertMatches(double[][] expected, double[] actual)
    {
        int vocab = TinyModels.Vocab;
        Assert.HasCount(expected.Length * vocab, actual);
        double maxDiff = 0;
        for (int t = 0; t < expected.Length; t++)
            for (int v = 0; v < vocab; v++) maxDiff = Math.Max(maxDiff, Math.Abs(actual[t * vocab + v] - expected[t][v]));
        Assert.IsLessThan(1e-4, maxDiff, $"max |logit difference| = {maxDiff}");
    }

    [TestMethod]
    public void PositionsAreReadTwoRowsIntoTheTable()
    {
        // Changing row 2 + t of embed_positions changes the logits from position t on, and nothing before it;
        // rows 0 and 1 are never read.
        using var model = TinyModels.Randomized(TinyModels.ByName("opt"));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = TinyModels.Ids(Sequence[..6]);
        var before = model.Forward(ids);
        var table = model.named_parameters().Single(p => p.name == "model.decoder.embed_positions.weight").parameter;
        var change = linspace(-1, 1, 32); // not constant: LayerNorm would cancel a constant shift
        table[0].add_(change);
        table[1].add_(change);
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(before, model.Forward(ids)), "rows 0 and 1 are not positions");
        table[2 + 3].add_(change);
        var after = model.Forward(ids);
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(before.narrow(1, 0, 3), after.narrow(1, 0, 3)));
        Assert.IsGreaterThan(1e-3, TinyModels.MaxAbsDifference(before.narrow(1, 3, 1), after.narrow(1, 3, 1)));
    }

    [TestMethod]
    public void SequencesEndAtTheLastLearnedPosition()
    {
        using var model = TinyModels.Randomized(TinyModels.Opt(maxPositions: 8));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var eight = model.Forward(TinyModels.Ids(Sequence[..8]));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Forward(TinyModels.Ids(Sequence[..9])));
        StringAssert.Contains(e.Message, "max_position_embeddings = 8");
        StringAssert.Contains(e.Message, "position 8");

        // Left padding does not use positions: eight real tokens after two pads still fit.
        var padded = model.Forward(TinyModels.Ids([1, 1, .. Sequence[..8]]), TinyModels.Ids([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]));
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(eight, padded.narrow(1, 2, 8)));

        // Nor does the KV cache change where the table ends.
        using var cache = new KvCache();
        model.Forward(TinyModels.Ids(Sequence[..8]), cache: cache);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Forward(TinyModels.Ids(Sequence[8..9]), cache: cache));
    }

    [TestMethod]
    public void DropoutActsOnlyInTrainingMode()
    {
        using var model = TinyModels.Randomized(TinyModels.Opt(dropout: 0.3));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = TinyModels.Ids(Sequence);
        model.train();
        Assert.IsGreaterThan(1e-4, TinyModels.MaxAbsDifference(model.Forward(ids), model.Forward(ids)));
        model.eval();
        var evaluated = model.Forward(ids);
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(evaluated, model.Forward(ids)));

        // In evaluation mode the dropout rate makes no difference at all.
        using var without = TinyModels.Randomized(TinyModels.Opt());
        without.eval();
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(evaluated, without.Forward(ids)));
    }

    [TestMethod]
    public void SavedFolderIsOneTransformersReadsAsOpt()
    {
        using var dir = new TempDirectory();
        using var model = TinyModels.Randomized(TinyModels.ByName("opt-350m"));
        model.SavePretrained(dir.Path);
        var config = JsonNode.Parse(File.ReadAllText(dir.File("config.json")))!.AsObject();
        Assert.AreEqual("opt", (string)config["model_type"]!);
        Assert.AreEqual("OPTForCausalLM", (string)config["architectures"]![0]!);
        Assert.AreEqual(24, (int)config["word_embed_proj_dim"]!);
        Assert.IsFalse((bool)config["do_layer_norm_before"]!);
        Assert.AreEqual(40, (int)config["ffn_dim"]!);
        Assert.AreEqual("relu", (string)config["activation_function"]!);
        Assert.IsTrue((bool)config["tie_word_embeddings"]!);
        Assert.IsFalse(config.ContainsKey("intermediate_size") || config.ContainsKey("hidden_act") || config.ContainsKey("rope_theta"));

        var names = SafeTensorsCheckpoint.TensorNames(dir.Path);
        Assert.Contains("model.decoder.project_in.weight", names);
        Assert.Contains("model.decoder.embed_positions.weight", names);
        Assert.DoesNotContain("lm_head.weight", names);
        var generation = JsonNode.Parse(File.ReadAllText(dir.File("generation_config.json")))!;
        Assert.AreEqual(2, (int)generation["bos_token_id"]!);
        Assert.AreEqual(2, (int)generation["eos_token_id"]!);
        Assert.AreEqual(1, (int)generation["pad_token_id"]!);
    }

    [TestMethod]
    public void ACheckpointWithATiedHeadCopyLoadsAndMissingWeightsAreNamed()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.ByName("opt"));
        model.SavePretrained(dir.Path);
        var weights = SafeTensorsCheckpoint.Load(dir.Path);

        // Published OPT files also store lm_head.weight, a copy of the tied embedding.
        var withHead = new Dictionary<string, Tensor>(weights) { ["lm_head.weight"] = weights["model.decoder.embed_tokens.weight"] };
        SafeTensorsFile.Save(dir.File("model.safetensors"), withHead);
        using (var loaded = CausalLm.FromPretrained(dir.Path))
        using (no_grad())
            Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(model.Forward(TinyModels.Ids(Sequence)), loaded.Forward(TinyModels.Ids(Sequence))));

        var broken = new Dictionary<string, Tensor>(weights);
        broken.Remove("model.decoder.embed_positions.weight");
        broken.Remove("model.decoder.layers.1.fc2.bias");
        broken["model.decoder.project_in.weight"] = zeros(32, 32);
        SafeTensorsFile.Save(dir.File("model.safetensors"), broken);
        var e = Assert.ThrowsExactly<CheckpointMismatchException>(() => CausalLm.FromPretrained(dir.Path));
        CollectionAssert.AreEqual(new[] { "model.decoder.embed_positions.weight", "model.decoder.layers.1.fc2.bias" }, e.Missing.ToArray());
        CollectionAssert.AreEqual(new[] { "model.decoder.project_in.weight" }, e.Unexpected.ToArray());
        foreach (var t in weights.Values) t.Dispose();
    }

    [TestMethod]
    public void LoraDefaultsToTheQueryAndValueProjectionsAndAllLinearLeavesTheHeadAlone()
    {
        using var model = TinyModels.Randomized(TinyModels.ByName("opt-proj"));
        model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8 });
        var adapted = model.LinearLayers().Where(l => l.Layer.HasLora).Select(l => l.Name).ToArray();
        CollectionAssert.AreEquivalent(new[]
        {
            "model.decoder.layers.0.self_attn.q_proj", "model.decoder.layers.0.self_attn.v_proj",
            "model.decoder.layers.1.self_attn.q_proj", "model.decoder.layers.1.self_attn.v_proj",
        }, adapted);

        using var all = TinyModels.Randomized(TinyModels.ByName("opt-proj"));
        all.ApplyLora(new LoraOptions { TargetModules = [LoraOptions.AllLinear] });
        var allAdapted = all.LinearLayers().Where(l => l.Layer.HasLora).Select(l => l.Name).ToList();
        Assert.HasCount(2 * 6 + 2, allAdapted, string.Join(", ", allAdapted)); // q, k, v, out, fc1, fc2 per layer; project_in, project_out
        Assert.DoesNotContain("lm_head", allAdapted);
        Assert.Contains("model.decoder.project_out", allAdapted);
    }

    [TestMethod]
    public void LeftPaddedGenerationWithTheCacheMatchesFullRecomputation()
    {
        // Greedy continuations of a left-padded batch, each checked against argmax over full forward passes of the row alone.
        using var model = TinyModels.Randomized(TinyModels.ByName("opt-350m"), seed: 6);
        int[][] prompts = [[2, 5], [2, 30, 31, 32, 33, 34], [2, 9, 9, 10]];
        var batch = model.Generate(prompts, new() { MaxNewTokens = 6, StopTokenIds = [] });
        using var noGrad = no_grad();
        for (int r = 0; r < prompts.Length; r++)
        {
            var ids = prompts[r].ToList();
            for (int i = 0; i < 6; i++)
            {
                using var scope = NewDisposeScope();
                var logits = model.Forward(TinyModels.Ids(ids.Select(t => (long)t).ToArray()));
                ids.Add((int)logits[0, -1].argmax().item<long>());
            }
            CollectionAssert.AreEqual(ids.Skip(prompts[r].Length).ToArray(), batch[r].TokenIds, $"row {r}");
        }
    }
}
