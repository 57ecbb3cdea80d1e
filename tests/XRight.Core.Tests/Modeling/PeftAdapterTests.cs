using System.Text.Json.Nodes;
using XRight.Modeling;
using XRight.Modeling.Lora;
using XRight.Modeling.SafeTensors;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class PeftAdapterTests
{
    private static readonly long[] Tokens = [1, 12, 13, 50, 2, 9];

    private static Tensor Logits(CausalLm model)
    {
        model.eval(); // adapter dropout is on in training mode
        using var noGrad = no_grad();
        return model.Forward(TinyModels.Ids(Tokens));
    }

    [TestMethod]
    [DataRow("neox", "query_key_value")]
    [DataRow("llama", "v_proj")]
    [DataRow("opt", "q_proj")]
    public void AdaptersRoundTripInThePeftLayout(string variant, string target)
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 16, Dropout = 0.05, TargetModules = [target] });
        LoraTests.PerturbAdapters(model);
        model.SaveLoraAdapter(dir.Path);

        var config = JsonNode.Parse(File.ReadAllText(dir.File("adapter_config.json")))!;
        Assert.AreEqual("LORA", (string)config["peft_type"]!);
        Assert.AreEqual("CAUSAL_LM", (string)config["task_type"]!);
        Assert.AreEqual(4, (int)config["r"]!);
        Assert.AreEqual(16.0, (double)config["lora_alpha"]!);
        Assert.AreEqual(0.05, (double)config["lora_dropout"]!);
        Assert.AreEqual("none", (string)config["bias"]!);
        Assert.AreEqual(target, (string)config["target_modules"]![0]!);

        var entries = SafeTensorsFile.ReadHeader(dir.File("adapter_model.safetensors")).Entries.ToDictionary(e => e.Name);
        string module = variant switch
        {
            "neox" => "gpt_neox.layers.1.attention.query_key_value",
            "llama" => "model.layers.1.self_attn.v_proj",
            _ => "model.decoder.layers.1.self_attn.q_proj",
        };
        long outFeatures = variant switch { "neox" => 96, "llama" => 16, _ => 32 };
        Assert.HasCount(4, entries);
        CollectionAssert.AreEqual(new long[] { 4, 32 }, entries[$"base_model.model.{module}.lora_A.weight"].Shape);
        CollectionAssert.AreEqual(new long[] { outFeatures, 4 }, entries[$"base_model.model.{module}.lora_B.weight"].Shape);

        using var fresh = TinyModels.Randomized(TinyModels.ByName(variant));
        fresh.LoadLoraAdapter(dir.Path);
        Assert.AreEqual(4, fresh.Lora!.Rank);
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(Logits(model), Logits(fresh)));
    }

    [TestMethod]
    public void AllLinearIsSavedAsTheModuleNamesItCovers()
    {
        using var dir = new TempDirectory();
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.ApplyLora(new LoraOptions { TargetModules = [LoraOptions.AllLinear] });
        model.SaveLoraAdapter(dir.Path);
        var targets = JsonNode.Parse(File.ReadAllText(dir.File("adapter_config.json")))!["target_modules"]!.AsArray().Select(t => (string)t!).ToArray();
        CollectionAssert.AreEqual(new[] { "down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj" }, targets);
    }

    [TestMethod]
    public void LoadingIntoExistingAdaptersReplacesTheirWeightsAndChecksTheirShape()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.ApplyLora(new LoraOptions { Rank = 2, Alpha = 4 });
        LoraTests.PerturbAdapters(model, seed: 1);
        model.SaveLoraAdapter(dir.Path);
        var saved = Logits(model);
        LoraTests.PerturbAdapters(model, seed: 2);
        model.LoadLoraAdapter(dir.Path);
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(saved, Logits(model)));

        using var otherRank = TinyModels.Randomized(TinyModels.Llama());
        otherRank.ApplyLora(new LoraOptions { Rank = 3, Alpha = 4 });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => otherRank.LoadLoraAdapter(dir.Path)).Message, "r = 3");

        using var otherLayers = TinyModels.Randomized(TinyModels.Llama());
        otherLayers.ApplyLora(new LoraOptions { Rank = 2, Alpha = 4, TargetModules = ["q_proj"] });
        var mismatch = Assert.ThrowsExactly<CheckpointMismatchException>(() => otherLayers.LoadLoraAdapter(dir.Path));
        CollectionAssert.Contains(mismatch.Unexpected.ToArray(), "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight");
    }

    [TestMethod]
    public void UnsupportedPeftFeaturesAndBrokenFoldersAreRefused()
    {
        using var dir = new TempDirectory();
        using var model = TinyModels.Randomized(TinyModels.Llama());
        Assert.ThrowsExactly<FileNotFoundException>(() => model.LoadLoraAdapter(dir.Path));

        model.ApplyLora(new LoraOptions());
        model.SaveLoraAdapter(dir.Path);
        var original = File.ReadAllText(dir.File("adapter_config.json"));
        void Expect<T>(string key, JsonNode? value, string message) where T : Exception
        {
            var json = JsonNode.Parse(original)!.AsObject();
            json[key] = value;
            File.WriteAllText(dir.File("adapter_config.json"), json.ToJsonString());
            using var fresh = TinyModels.Randomized(TinyModels.Llama());
            StringAssert.Contains(Assert.ThrowsExactly<T>(() => fresh.LoadLoraAdapter(dir.Path)).Message, message);
        }
        Expect<NotSupportedException>("peft_type", "IA3", "peft_type 'IA3'");
        Expect<NotSupportedException>("use_dora", true, "use_dora");
        Expect<NotSupportedException>("bias", "all", "bias 'all'");
        Expect<NotSupportedException>("target_modules", ".*proj", "regular expression");
        Expect<NotSupportedException>("rank_pattern", new JsonObject { ["q_proj"] = 4 }, "rank_pattern");
        Expect<InvalidDataException>("r", "eight", "'r' must be an integer");

        File.WriteAllText(dir.File("adapter_config.json"), original);
        File.Delete(dir.File("adapter_model.safetensors"));
        using var noWeights = TinyModels.Randomized(TinyModels.Llama());
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => noWeights.LoadLoraAdapter(dir.Path)).Message, "adapter_model.safetensors");

        model.MergeLora();
        Assert.ThrowsExactly<InvalidOperationException>(() => model.SaveLoraAdapter(dir.Path));
    }
}
