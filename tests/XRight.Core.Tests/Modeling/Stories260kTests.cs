using XRight.Modeling;
using XRight.Modeling.Generation;
using XRight.Modeling.Lora;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

/// <summary>The real pretrained Llama "stories260K" (5 layers, 8 query / 4 key-value heads, vocab 512, tied embeddings).</summary>
[TestClass]
public sealed class Stories260kTests
{
    private static CausalLm Load() => CausalLm.FromPretrained(SharedAssets.Require("models/stories260k"));

    private static double MeanNll(CausalLm model, int[] prompt, int[] response)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = CausalLmBatch.Collate([(prompt, response)], padId: 0, CPU);
        using var result = ResponseLogProbs.Compute(model, batch);
        return -result.SumLogProbs[0].item<float>() / result.TokenCounts[0].item<long>();
    }

    [TestMethod]
    public void LoadsAndWritesCoherentText()
    {
        using var model = Load();
        Assert.IsInstanceOfType<LlamaForCausalLM>(model);
        Assert.AreEqual(4, model.Config.NumKeyValueHeads);
        Assert.IsTrue(model.Config.TieWordEmbeddings);

        var story = model.Generate([[1]], new GenerationOptions { MaxNewTokens = 60 }).Single();
        Assert.IsGreaterThan(20, story.TokenIds.Length, $"stopped after {story.TokenIds.Length} tokens ({story.StopReason})");
        double nll = MeanNll(model, [1], story.TokenIds);
        Assert.IsLessThan(0.5 * Math.Log(512), nll, $"mean NLL of its own greedy story: {nll:F3} nats/token");

        // The same tokens shuffled are far less likely: the model has learned order, not just frequencies.
        var shuffled = story.TokenIds.OrderBy(t => (t * 7919) % 101).ToArray();
        Assert.IsGreaterThan(nll + 1, MeanNll(model, [1], shuffled));
    }

    [TestMethod]
    public void CachedGenerationEqualsFullRecomputation()
    {
        using var model = Load();
        var cached = model.Generate([[1]], new GenerationOptions { MaxNewTokens = 40, StopTokenIds = [] }).Single().TokenIds;

        var ids = new List<long> { 1 };
        using var noGrad = no_grad();
        for (int i = 0; i < 40; i++)
        {
            using var scope = NewDisposeScope();
            var logits = model.Forward(tensor(ids.ToArray(), [1, ids.Count], ScalarType.Int64));
            ids.Add(logits[0, -1].argmax().item<long>());
        }
        CollectionAssert.AreEqual(ids.Skip(1).Select(i => (int)i).ToArray(), cached);
    }

    [TestMethod]
    public void LoraWrappedModelEqualsTheBase()
    {
        using var model = Load();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(new long[] { 1, 403, 261, 302, 289, 347, 269 }, [1, 7], ScalarType.Int64);
        var before = model.Forward(input);
        model.ApplyLora(new LoraOptions { Rank = 16, Alpha = 16 });
        Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(before, model.Forward(input)));
        Assert.AreEqual(5 * 2 * 2, model.TrainableParameters().Count);
    }

    /// <summary>
    /// A folder this library saves from a real Hugging Face checkpoint has the checkpoint's own layout: the same
    /// tensor names, dtypes, shapes and bytes, and a config.json with every key and value of the original, which
    /// is what transformers' loader matches against.
    /// </summary>
    [TestMethod]
    public void SavedFolderKeepsTheOriginalCheckpointLayout()
    {
        string original = SharedAssets.Require("models/stories260k");
        using var dir = new TempDirectory();
        using (var model = Load()) model.SavePretrained(dir.Path);

        var before = XRight.Modeling.SafeTensors.SafeTensorsFile.ReadHeader(Path.Combine(original, "model.safetensors")).Entries.OrderBy(e => e.Name).ToArray();
        var after = XRight.Modeling.SafeTensors.SafeTensorsFile.ReadHeader(Path.Combine(dir.Path, "model.safetensors")).Entries.OrderBy(e => e.Name).ToArray();
        CollectionAssert.AreEqual(before.Select(e => $"{e.Name} {e.DType} [{string.Join(",", e.Shape)}]").ToArray(),
            after.Select(e => $"{e.Name} {e.DType} [{string.Join(",", e.Shape)}]").ToArray());
        var originalTensors = XRight.Modeling.SafeTensors.SafeTensorsFile.Load(Path.Combine(original, "model.safetensors"));
        var savedTensors = XRight.Modeling.SafeTensors.SafeTensorsFile.Load(Path.Combine(dir.Path, "model.safetensors"));
        foreach (var (name, tensor) in originalTensors)
            Assert.IsTrue(tensor.eq(savedTensors[name]).all().item<bool>(), name);
        foreach (var tensor in originalTensors.Values.Concat(savedTensors.Values)) tensor.Dispose();

        using var originalConfig = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(original, "config.json")));
        using var savedConfig = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "config.json")));
        foreach (var property in originalConfig.RootElement.EnumerateObject())
        {
            Assert.IsTrue(savedConfig.RootElement.TryGetProperty(property.Name, out var saved), $"config.json lacks '{property.Name}'");
            if (property.Value.ValueKind == System.Text.Json.JsonValueKind.Number)
                Assert.AreEqual(property.Value.GetDouble(), saved.GetDouble(), 0, property.Name);
            else
                Assert.AreEqual(property.Value.GetRawText(), saved.GetRawText(), property.Name);
        }
    }
}
