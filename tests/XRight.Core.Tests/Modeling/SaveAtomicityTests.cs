using XRight.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

/// <summary>A save that cannot complete leaves the previous folder byte-identical and no temporaries.</summary>
[TestClass]
public sealed class SaveAtomicityTests
{
    private static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    private static void AssertUnchanged(Dictionary<string, byte[]> before, string parent, string folder)
    {
        var after = Snapshot(folder);
        CollectionAssert.AreEquivalent(before.Keys.ToArray(), after.Keys.ToArray());
        foreach (var (name, bytes) in before) CollectionAssert.AreEqual(bytes, after[name], $"{name} changed");
        CollectionAssert.AreEqual(new[] { Path.GetFileName(folder) }, Directory.GetFileSystemEntries(parent).Select(Path.GetFileName).ToArray(), "no temporary folder or file remains");
    }

    [TestMethod]
    public void SavePretrainedOfADisposedModelKeepsTheGoodFolder()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("model");
        var model = TinyModels.Randomized(TinyModels.Llama());
        model.SavePretrained(folder);
        File.WriteAllText(Path.Combine(folder, "README.md"), "model card");
        var before = Snapshot(folder);
        model.Dispose();

        var error = Assert.ThrowsExactly<ObjectDisposedException>(() => model.SavePretrained(folder));

        StringAssert.Contains(error.Message, "disposed");
        StringAssert.Contains(error.Message, model.GetType().Name);
        AssertUnchanged(before, dir.Path, folder);
        using var reloaded = CausalLm.FromPretrained(folder);
    }

    [TestMethod]
    public void ResavingReplacesWeightsAndKeepsUnrelatedFiles()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("model");
        using var scope = NewDisposeScope();
        using var model = TinyModels.Randomized(TinyModels.Llama());
        model.SavePretrained(folder, maxShardBytes: 16 * 1024);
        Assert.IsTrue(Directory.GetFiles(folder, "model-*-of-*.safetensors").Length > 1);
        File.WriteAllText(Path.Combine(folder, "README.md"), "model card");

        model.SavePretrained(folder);

        CollectionAssert.AreEquivalent(new[] { "README.md", "config.json", "generation_config.json", "model.safetensors" },
            Directory.GetFiles(folder).Select(Path.GetFileName).ToArray(), "the older layout's shards and index are gone");
        CollectionAssert.AreEqual(new[] { "model" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void SaveLoraAdapterOfADisposedModelKeepsTheGoodFolder()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("adapter");
        var model = TinyModels.Randomized(TinyModels.Llama());
        model.ApplyLora(new LoraOptions { Rank = 2, Alpha = 4 });
        model.SaveLoraAdapter(folder);
        var before = Snapshot(folder);
        model.Dispose();

        var error = Assert.ThrowsExactly<ObjectDisposedException>(() => model.SaveLoraAdapter(folder));

        StringAssert.Contains(error.Message, "disposed");
        StringAssert.Contains(error.Message, model.GetType().Name);
        AssertUnchanged(before, dir.Path, folder);
    }
}
