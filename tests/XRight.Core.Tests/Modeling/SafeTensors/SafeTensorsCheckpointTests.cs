using System.Text.Json;
using XRight.Modeling.SafeTensors;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling.SafeTensors;

[TestClass]
public sealed class SafeTensorsCheckpointTests
{
    // 40, 40, 40 and 100 bytes of data: with 100-byte shards they pack as {a, b}, {c}, {big}.
    private static Dictionary<string, Tensor> FourTensors() => new()
    {
        ["a"] = arange(10, dtype: ScalarType.Float32),
        ["b"] = arange(5, dtype: ScalarType.Int64).neg(),
        ["c"] = full(20, 0.5f).to_type(ScalarType.BFloat16),
        ["big"] = arange(100, dtype: ScalarType.Byte),
    };

    [TestMethod]
    public void SmallShardLimitWritesShardsAndAnIndexThatLoadBack()
    {
        using var scope = NewDisposeScope();
        var tensors = FourTensors();
        using var dir = new TempDirectory();

        SafeTensorsCheckpoint.Save(dir.Path, tensors, maxShardBytes: 100);

        CollectionAssert.AreEquivalent(
            new[] { "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", "model.safetensors.index.json" },
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).ToArray());
        CollectionAssert.AreEquivalent(new[] { "a", "b" }, ShardNames(dir.File("model-00001-of-00003.safetensors")));
        CollectionAssert.AreEquivalent(new[] { "c" }, ShardNames(dir.File("model-00002-of-00003.safetensors")));
        CollectionAssert.AreEquivalent(new[] { "big" }, ShardNames(dir.File("model-00003-of-00003.safetensors")));

        using var index = JsonDocument.Parse(File.ReadAllBytes(dir.File("model.safetensors.index.json")));
        Assert.AreEqual(220, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        var weightMap = index.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        CollectionAssert.AreEqual(new[] { "a", "b", "big", "c" }, weightMap.Keys.ToArray(), "keys sorted like Hugging Face writes them");
        Assert.AreEqual("model-00002-of-00003.safetensors", weightMap["c"]);

        Assert.IsTrue(SafeTensorsCheckpoint.Exists(dir.Path));
        CollectionAssert.AreEqual(new[] { "a", "b", "big", "c" }, SafeTensorsCheckpoint.TensorNames(dir.Path).ToArray());
        var loaded = SafeTensorsCheckpoint.Load(dir.Path);
        try
        {
            AssertSameTensors(tensors, loaded);
        }
        finally
        {
            SafeTensorsFileTests.DisposeAll(loaded);
        }
    }

    [TestMethod]
    public void EverythingInOneShardWritesASingleFile()
    {
        using var scope = NewDisposeScope();
        var tensors = FourTensors();
        using var dir = new TempDirectory();

        SafeTensorsCheckpoint.Save(dir.Path, tensors, metadata: new Dictionary<string, string> { ["step"] = "3" });

        CollectionAssert.AreEqual(new[] { dir.File("model.safetensors") }, Directory.GetFiles(dir.Path));
        Assert.AreEqual("3", SafeTensorsFile.ReadHeader(dir.File("model.safetensors")).Metadata["step"]);
        var loaded = SafeTensorsCheckpoint.Load(dir.Path, castTo: ScalarType.Float32);
        try
        {
            Assert.AreEqual(ScalarType.Float32, loaded["c"].dtype);
            Assert.AreEqual(ScalarType.Int64, loaded["b"].dtype);
            Assert.AreEqual(ScalarType.Byte, loaded["big"].dtype);
            CollectionAssert.AreEqual(Enumerable.Repeat(0.5f, 20).ToArray(), loaded["c"].data<float>().ToArray());
        }
        finally
        {
            SafeTensorsFileTests.DisposeAll(loaded);
        }
    }

    [TestMethod]
    public void ResavingRemovesFilesOfTheOlderLayoutOnly()
    {
        using var scope = NewDisposeScope();
        var tensors = FourTensors();
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.json"), "{}");
        File.WriteAllText(dir.File("model-notes.safetensors"), "not a shard name");

        SafeTensorsCheckpoint.Save(dir.Path, tensors, maxShardBytes: 100);      // 3 shards
        SafeTensorsCheckpoint.Save(dir.Path, tensors, maxShardBytes: 150);      // {a, b, c}, {big}: 2 shards
        CollectionAssert.AreEquivalent(
            new[] { "config.json", "model-notes.safetensors", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json" },
            FileNames(dir));

        SafeTensorsCheckpoint.Save(dir.Path, tensors);                          // one file
        CollectionAssert.AreEquivalent(new[] { "config.json", "model-notes.safetensors", "model.safetensors" }, FileNames(dir));

        SafeTensorsCheckpoint.Save(dir.Path, tensors, maxShardBytes: 150);      // back to shards
        CollectionAssert.AreEquivalent(
            new[] { "config.json", "model-notes.safetensors", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json" },
            FileNames(dir));
        var loaded = SafeTensorsCheckpoint.Load(dir.Path);
        try
        {
            AssertSameTensors(tensors, loaded);
        }
        finally
        {
            SafeTensorsFileTests.DisposeAll(loaded);
        }
    }

    [TestMethod]
    public void PlanShardsPacksInOrderAndGivesOversizedTensorsTheirOwnShard()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["small1"] = zeros(5, dtype: ScalarType.Float32),    // 20 bytes
            ["huge"] = zeros(100, dtype: ScalarType.Float64),    // 800 bytes
            ["small2"] = zeros(10, dtype: ScalarType.Int16),     // 20 bytes
            ["small3"] = zeros(60, dtype: ScalarType.Bool),      // 60 bytes
            ["small4"] = zeros(1, dtype: ScalarType.Int8),       // 1 byte
        };

        var shards = SafeTensorsCheckpoint.PlanShards(tensors, maxShardBytes: 80);

        var names = shards.Select(shard => string.Join(",", shard.Select(item => item.Key))).ToArray();
        CollectionAssert.AreEqual(new[] { "small1", "huge", "small2,small3", "small4" }, names);
        Assert.HasCount(1, SafeTensorsCheckpoint.PlanShards([], 80), "no tensors still make one (empty) file");
    }

    [TestMethod]
    public void ShardFileNamesFollowTheHuggingFacePattern()
    {
        Assert.AreEqual("model-00001-of-00003.safetensors", SafeTensorsCheckpoint.ShardFileName(1, 3));
        Assert.AreEqual("model-00012-of-00120.safetensors", SafeTensorsCheckpoint.ShardFileName(12, 120));
    }

    [TestMethod]
    public void FolderWithoutACheckpoint()
    {
        using var dir = new TempDirectory();

        Assert.IsFalse(SafeTensorsCheckpoint.Exists(dir.Path));
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => SafeTensorsCheckpoint.Load(dir.Path));
        Assert.Contains("model.safetensors.index.json", error.Message);
        Assert.ThrowsExactly<FileNotFoundException>(() => SafeTensorsCheckpoint.TensorNames(dir.Path));
    }

    [TestMethod]
    public void SaveRejectsANonPositiveShardLimit()
    {
        using var dir = new TempDirectory();
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SafeTensorsCheckpoint.Save(dir.Path, new Dictionary<string, Tensor>(), maxShardBytes: 0));
        Assert.AreEqual("maxShardBytes", error.ParamName);
    }

    [TestMethod]
    public void IndexNamingAMissingShard() =>
        AssertIndexRejected(
            """{"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}""",
            "maps tensor 'b' to 'model-00002-of-00002.safetensors', which is not in the folder");

    [TestMethod]
    public void IndexNamingATensorMissingFromItsShard() =>
        AssertIndexRejected(
            """{"weight_map":{"a":"model-00001-of-00002.safetensors","ghost":"model-00001-of-00002.safetensors"}}""",
            "maps tensor 'ghost' to 'model-00001-of-00002.safetensors', which holds no tensor of that name");

    [TestMethod]
    public void IndexPointingOutsideTheFolder() =>
        AssertIndexRejected(
            """{"weight_map":{"a":"../model-00001-of-00002.safetensors"}}""",
            "maps 'a' to \"../model-00001-of-00002.safetensors\"; expected the name of a file in the same folder");

    [TestMethod]
    public void IndexWithoutWeightMap() =>
        AssertIndexRejected("""{"metadata":{"total_size":4}}""", "no \"weight_map\" object");

    [TestMethod]
    public void IndexThatIsNotJson() =>
        AssertIndexRejected("""{"weight_map": """, "not valid JSON");

    [TestMethod]
    public void IndexWithDuplicateNames() =>
        AssertIndexRejected(
            """{"weight_map":{"a":"model-00001-of-00002.safetensors","a":"model-00001-of-00002.safetensors"}}""",
            "names 'a' more than once");

    [TestMethod]
    public void BrokenShardIsReportedByItsOwnPath()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("model.safetensors.index.json"), """{"weight_map":{"a":"model-00001-of-00001.safetensors"}}""");
        File.WriteAllBytes(dir.File("model-00001-of-00001.safetensors"), new byte[3]);

        var error = Assert.ThrowsExactly<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.Load(dir.Path));

        Assert.AreEqual(dir.File("model-00001-of-00001.safetensors"), error.FilePath);
    }

    // The folder holds a valid first shard with tensor 'a' plus the given index.
    private static void AssertIndexRejected(string indexJson, string expectedReason)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("model-00001-of-00002.safetensors"),
            RawSafeTensors.Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 0, 0, 0x80, 0x3F));
        var indexPath = dir.File("model.safetensors.index.json");
        File.WriteAllText(indexPath, indexJson);

        var onLoad = Assert.ThrowsExactly<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.Load(dir.Path));
        var onNames = Assert.ThrowsExactly<SafeTensorsFormatException>(() => SafeTensorsCheckpoint.TensorNames(dir.Path));

        Assert.AreEqual(indexPath, onLoad.FilePath);
        Assert.Contains(expectedReason, onLoad.Reason);
        Assert.AreEqual(onLoad.Message, onNames.Message);
    }

    private static string[] ShardNames(string path) => SafeTensorsFile.ReadHeader(path).Entries.Select(e => e.Name).ToArray();

    private static string[] FileNames(TempDirectory dir) => Directory.GetFiles(dir.Path).Select(p => Path.GetFileName(p)!).ToArray();

    private static void AssertSameTensors(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray());
        foreach (var (name, tensor) in expected)
        {
            Assert.AreEqual(tensor.dtype, actual[name].dtype, name);
            CollectionAssert.AreEqual(tensor.shape, actual[name].shape, name);
            CollectionAssert.AreEqual(tensor.bytes.ToArray(), actual[name].bytes.ToArray(), name);
        }
    }
}
