using System.Text.Json.Nodes;
using XRight.Interop;
using XRight.Modeling.SafeTensors;

namespace XRight.Tests.Interop;

/// <summary>
/// The interoperability suite on the CPU: every folder XRight writes for transformers and PEFT reads back into
/// XRight with the outputs recorded beside it (the same harness that checks transformers' goldens), sharded equals
/// unsharded, bfloat16 stays within its tolerance of float32, the merged folder equals the adapter applied, and
/// config.json holds the keys transformers' configuration classes read.
/// </summary>
[TestClass]
public sealed class InteropSuiteTests
{
    private static TempDirectory? s_dir;
    private static InteropManifest? s_manifest;

    private static string Root => s_dir!.Path;

    [ClassInitialize]
    public static void Export(TestContext _)
    {
        s_dir = new TempDirectory();
        s_manifest = InteropSuite.Export(System.IO.Path.Combine(s_dir.Path, "suite"));
    }

    [ClassCleanup]
    public static void Cleanup() => s_dir?.Dispose();

    private static string Suite => System.IO.Path.Combine(Root, "suite");

    private static InteropEntry Entry(string model, string variant) =>
        s_manifest!.Entries.Single(e => e.Model == model && e.Variant == variant);

    private static InteropOutputs Outputs(string model, string variant) => InteropSuite.ReadOutputs(Suite, Entry(model, variant));

    [TestMethod]
    public void ManifestListsFiveFoldersOfEveryModel()
    {
        var manifest = InteropSuite.ReadManifest(Suite);
        Assert.AreEqual("xright", manifest.Producer);
        Assert.AreEqual(InteropSuite.Models.Count * 5, manifest.Entries.Count);
        foreach (var model in InteropSuite.Models)
            CollectionAssert.AreEquivalent(new[] { "fp32", "bf16", "sharded", "lora", "merged" },
                manifest.Entries.Where(e => e.Model == model.Name).Select(e => e.Variant).ToArray(), model.Name);
        foreach (var entry in manifest.Entries)
        {
            var outputs = InteropSuite.ReadOutputs(Suite, entry);
            CollectionAssert.AreEqual(new[] { "plain", "masked", "left_padded" }, outputs.Cases.Select(c => c.Name).ToArray());
            Assert.AreEqual(2, outputs.Generations.Count);
            Assert.IsTrue(outputs.Generations.All(g => g.Tokens.Length == InteropSuite.NewTokens), entry.Folder);
        }
    }

    [TestMethod]
    public void EveryFolderReadsBackWithTheOutputsRecordedBesideIt()
    {
        var failures = new List<string>();
        foreach (var entry in s_manifest!.Entries)
        {
            var comparison = InteropSuite.Compare(Suite, entry);
            // The same CPU computation on the weights read back: exact.
            if (!comparison.Passed || comparison.MaxAbs != 0) failures.Add(comparison.ToString());
        }
        Assert.AreEqual(0, failures.Count, string.Join("\n", failures));
    }

    [TestMethod]
    public void ShardedFolderEqualsTheSingleFile()
    {
        foreach (var model in InteropSuite.Models)
        {
            string sharded = System.IO.Path.Combine(Suite, model.Name, "sharded"), single = System.IO.Path.Combine(Suite, model.Name, "fp32");
            Assert.IsFalse(File.Exists(System.IO.Path.Combine(sharded, "model.safetensors")), model.Name);
            var index = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(sharded, "model.safetensors.index.json")))!.AsObject();
            var map = index["weight_map"]!.AsObject();
            var shards = map.Select(p => (string)p.Value!).Distinct().Order().ToArray();
            Assert.IsTrue(shards.Length >= 2, $"{model.Name}: {shards.Length} shard(s)");
            for (int i = 0; i < shards.Length; i++)
                Assert.AreEqual($"model-{i + 1:D5}-of-{shards.Length:D5}.safetensors", shards[i]);
            CollectionAssert.AreEquivalent(SafeTensorsCheckpoint.TensorNames(single).ToArray(), map.Select(p => p.Key).ToArray(), model.Name);
            long singleData = new FileInfo(System.IO.Path.Combine(single, "model.safetensors")).Length - HeaderBytes(System.IO.Path.Combine(single, "model.safetensors"));
            Assert.AreEqual(singleData, (long)index["metadata"]!["total_size"]!, model.Name);
            Assert.IsTrue(shards.All(s => new FileInfo(System.IO.Path.Combine(sharded, s)).Length - HeaderBytes(System.IO.Path.Combine(sharded, s)) <= InteropSuite.ShardBytes
                                          || SafeTensorsCheckpoint.TensorNames(sharded).Count(n => (string)map[n]! == s) == 1), model.Name);

            var a = Outputs(model.Name, "fp32");
            var b = Outputs(model.Name, "sharded");
            var comparison = InteropSuite.Compare(model.Name, a, b, tolerance: 0);
            Assert.IsTrue(comparison.Passed, comparison.ToString());
        }
    }

    [TestMethod]
    public void BFloat16FolderIsWithinItsToleranceOfFloat32()
    {
        foreach (var model in InteropSuite.Models)
        {
            string bf16 = System.IO.Path.Combine(Suite, model.Name, "bf16");
            Assert.AreEqual("bfloat16", (string)JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(bf16, "config.json")))!["torch_dtype"]!);
            var header = SafeTensorsFile.ReadHeader(System.IO.Path.Combine(bf16, "model.safetensors"));
            Assert.IsTrue(header.Entries.All(e => e.DType == "BF16"), model.Name);

            var comparison = InteropSuite.Compare(model.Name, Outputs(model.Name, "fp32"), Outputs(model.Name, "bf16"), InteropSuite.BFloat16Tolerance, compareTokens: false);
            Assert.IsTrue(comparison.Passed, comparison.ToString());
            Assert.IsTrue(comparison.MaxAbs > 0, $"{model.Name}: bfloat16 gave the float32 logits exactly; was it saved in float32?");
        }
    }

    [TestMethod]
    public void MergedFolderEqualsTheAdapterApplied()
    {
        foreach (var model in InteropSuite.Models)
        {
            var adapter = Outputs(model.Name, "lora");
            var merged = InteropSuite.Compare(model.Name, adapter, Outputs(model.Name, "merged"), tolerance: 1e-5);
            Assert.IsTrue(merged.Passed, merged.ToString());
            var unchanged = InteropSuite.Compare(model.Name, adapter, Outputs(model.Name, "fp32"), tolerance: 1e-3, compareTokens: false);
            Assert.IsFalse(unchanged.Passed, $"{model.Name}: the adapter barely changes the logits ({unchanged.MaxAbs:G3}); the check would prove little.");
            string config = File.ReadAllText(System.IO.Path.Combine(Suite, model.Name, "lora", "adapter_config.json"));
            var json = JsonNode.Parse(config)!.AsObject();
            Assert.AreEqual("LORA", (string)json["peft_type"]!);
            CollectionAssert.AreEquivalent(model.LoraTargets.ToArray(), json["target_modules"]!.AsArray().Select(n => (string)n!).ToArray(), model.Name);
        }
    }

    [TestMethod]
    public void HarnessCatchesADifferentLogitOrToken()
    {
        var entry = Entry("llama-gqa", "fp32");
        var recorded = InteropSuite.ReadOutputs(Suite, entry);
        var logits = recorded.Cases[2].Logits.Select(r => r.Select(t => (float[])t.Clone()).ToArray()).ToArray();
        logits[1][^1][5] += 2e-4f; // a real position of the left-padded row
        var shifted = recorded with { Cases = [recorded.Cases[0], recorded.Cases[1], recorded.Cases[2] with { Logits = logits }] };
        var tokens = (int[])recorded.Generations[1].Tokens.Clone();
        tokens[^1] = (tokens[^1] + 1) % 128;
        var otherToken = recorded with { Generations = [recorded.Generations[0], recorded.Generations[1] with { Tokens = tokens }] };

        foreach (var (name, outputs, expectedProblem) in new[] { ("logit", shifted, "logits differ"), ("token", otherToken, "greedy tokens of prompt 1") })
        {
            string file = $"{entry.Folder}.{name}.outputs.json";
            File.WriteAllText(System.IO.Path.Combine(Suite, file), System.Text.Json.JsonSerializer.Serialize(outputs, InteropSuite.Json));
            var comparison = InteropSuite.Compare(Suite, entry with { Outputs = file });
            Assert.IsFalse(comparison.Passed, name);
            StringAssert.Contains(string.Join("; ", comparison.Problems), expectedProblem);
        }

        // A masked (padding) position is not compared: its output is read by nobody.
        var padding = recorded.Cases[2].Logits.Select(r => r.Select(t => (float[])t.Clone()).ToArray()).ToArray();
        padding[1][0][5] += 1f;
        var paddingOnly = recorded with { Cases = [recorded.Cases[0], recorded.Cases[1], recorded.Cases[2] with { Logits = padding }] };
        Assert.IsTrue(InteropSuite.Compare("padding", recorded, paddingOnly, 0).Passed);
    }

    private static long HeaderBytes(string file)
    {
        using var stream = File.OpenRead(file);
        Span<byte> length = stackalloc byte[8];
        stream.ReadExactly(length);
        return 8 + BitConverter.ToInt64(length);
    }
}
