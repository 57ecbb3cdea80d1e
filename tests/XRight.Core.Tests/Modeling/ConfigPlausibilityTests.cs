using System.Diagnostics;
using System.Text.Json.Nodes;
using XRight.Modeling;

namespace XRight.Tests.Modeling;

/// <summary>config.json is checked against the checkpoint's headers and sane limits before any model is built.</summary>
[TestClass]
public sealed class ConfigPlausibilityTests
{
    private static string SavedFolder(TempDirectory dir, CausalLmConfig config)
    {
        var folder = dir.File("model");
        using var model = TinyModels.Randomized(config);
        model.SavePretrained(folder);
        return folder;
    }

    private static void Edit(string folder, string key, JsonNode value)
    {
        var path = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json[key] = value;
        File.WriteAllText(path, json.ToJsonString());
    }

    private static InvalidDataException LoadFails(string folder)
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CausalLm.FromPretrained(folder));
        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(2), $"failed fast ({clock.Elapsed})");
        return error;
    }

    [TestMethod]
    [DataRow("llama")]
    [DataRow("neox")]
    [DataRow("opt")]
    public void AHugeLayerCountIsComparedWithTheCheckpointsLayers(string variant)
    {
        using var dir = new TempDirectory();
        var config = TinyModels.ByName(variant);
        var folder = SavedFolder(dir, config);
        Edit(folder, "num_hidden_layers", 50000);

        var error = LoadFails(folder);

        StringAssert.Contains(error.Message, $"config.json: num_hidden_layers 50000 but model.safetensors has layers 0–{config.NumHiddenLayers - 1}");
    }

    [TestMethod]
    [DataRow("llama")]
    [DataRow("neox")]
    [DataRow("opt")]
    public void AHugeVocabularyIsComparedWithTheEmbedding(string variant)
    {
        using var dir = new TempDirectory();
        var config = TinyModels.ByName(variant);
        var folder = SavedFolder(dir, config);
        Edit(folder, "vocab_size", 2147483647);

        var error = LoadFails(folder);

        StringAssert.Contains(error.Message, "config.json: vocab_size 2147483647 but model.safetensors has the embedding");
        StringAssert.Contains(error.Message, $"[{config.VocabSize}, {config.EmbeddingSize}]");
    }

    [TestMethod]
    public void AWrongHiddenSizeIsComparedWithTheEmbedding()
    {
        using var dir = new TempDirectory();
        var folder = SavedFolder(dir, TinyModels.Llama());
        Edit(folder, "hidden_size", 64);

        StringAssert.Contains(LoadFails(folder).Message, "config.json: hidden_size 64 but model.safetensors has the embedding");
    }

    [TestMethod]
    [DataRow("vocab_size", 2147483647, "vocab_size 2147483647 is implausible")]
    [DataRow("hidden_size", 1 << 20, "hidden_size 1048576 is implausible")]
    [DataRow("num_hidden_layers", 50000, "num_hidden_layers 50000 is implausible")]
    [DataRow("intermediate_size", 1 << 21, "intermediate_size 2097152 is implausible")]
    [DataRow("num_attention_heads", 64, "'num_attention_heads' (64) must divide 'hidden_size' (32)")]
    public void AConfigBeyondSaneLimitsIsRefusedWithoutAFolder(string key, int value, string expected)
    {
        var json = JsonNode.Parse(TinyModels.Llama().ToJson())!;
        json[key] = value;
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CausalLmConfig.FromJson(json.ToJsonString(), "config.json"));
        StringAssert.Contains(error.Message, "config.json: " + expected);
    }
}
