using TorchSharp;
using XRight.Modeling.SafeTensors;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling.SafeTensors;

[TestClass]
public sealed class SafeTensorsFileTests
{
    // F32 [1.5, -2], F16 [1.0, -0.5], BF16 [1.0, -3.0], I64 [-1, 2^40]: bytes worked out by hand (IEEE 754, little-endian).
    private const string HandBuiltHeader =
        """{"f32":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"f16":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"bf16":{"dtype":"BF16","shape":[2,1],"data_offsets":[12,16]},"i64":{"dtype":"I64","shape":[2],"data_offsets":[16,32]},"__metadata__":{"source":"hand"}}""";

    private static readonly byte[] HandBuiltData =
    [
        0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0, // F32 1.5 = 0x3FC00000, -2 = 0xC0000000
        0x00, 0x3C, 0x00, 0xB8,                         // F16 1.0 = 0x3C00, -0.5 = 0xB800
        0x80, 0x3F, 0x40, 0xC0,                         // BF16 1.0 = 0x3F80, -3.0 = 0xC040
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // I64 -1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, // I64 2^40
    ];

    [TestMethod]
    public void HandBuiltFileDecodesToKnownValues()
    {
        using var dir = new TempDirectory();
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, RawSafeTensors.Build(HandBuiltHeader, HandBuiltData));

        var header = SafeTensorsFile.ReadHeader(path);
        CollectionAssert.AreEqual(new[] { "f32", "f16", "bf16", "i64" }, header.Entries.Select(e => e.Name).ToArray());
        Assert.AreEqual("hand", header.Metadata["source"]);
        Assert.AreEqual(8L + HandBuiltHeader.Length, header.DataStart);

        var tensors = SafeTensorsFile.Load(path);
        try
        {
            Assert.AreEqual(ScalarType.Float32, tensors["f32"].dtype);
            CollectionAssert.AreEqual(new[] { 1.5f, -2f }, tensors["f32"].data<float>().ToArray());
            Assert.AreEqual(ScalarType.Float16, tensors["f16"].dtype);
            CollectionAssert.AreEqual(new[] { 1f, -0.5f }, AsFloats(tensors["f16"]));
            Assert.AreEqual(ScalarType.BFloat16, tensors["bf16"].dtype);
            CollectionAssert.AreEqual(new long[] { 2, 1 }, tensors["bf16"].shape);
            CollectionAssert.AreEqual(new[] { 1f, -3f }, AsFloats(tensors["bf16"]));
            Assert.AreEqual(ScalarType.Int64, tensors["i64"].dtype);
            CollectionAssert.AreEqual(new[] { -1L, 1L << 40 }, tensors["i64"].data<long>().ToArray());
        }
        finally
        {
            DisposeAll(tensors);
        }
    }

    [TestMethod]
    public void SaveThenLoadIsByteExactForEveryDType()
    {
        using var scope = NewDisposeScope();
        float[] floats = [0.1f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, 65504f, 3.3e-8f, -123.456f];
        var original = new Dictionary<string, Tensor>
        {
            ["f64"] = tensor(new[] { 0.1, -0.0, double.NaN, double.Epsilon, double.MaxValue, -1e-300 }).reshape(2, 3),
            ["f32"] = tensor(floats).reshape(3, 3),
            ["f16"] = tensor(floats).to_type(ScalarType.Float16),
            ["bf16"] = tensor(floats).to_type(ScalarType.BFloat16).reshape(9, 1),
            ["i64"] = tensor(new[] { long.MinValue, -1L, 0L, long.MaxValue }),
            ["i32"] = tensor(new[] { int.MinValue, 7, int.MaxValue }),
            ["i16"] = tensor(new short[] { short.MinValue, -2, short.MaxValue }),
            ["i8"] = tensor(new sbyte[] { sbyte.MinValue, -1, sbyte.MaxValue }),
            ["u8"] = tensor(new byte[] { 0, 128, 255 }),
            ["bool"] = tensor(new[] { true, false, true }),
            ["scalar"] = tensor(2.5f),
            ["empty"] = zeros(0, 3, dtype: ScalarType.Float16),
        };
        using var dir = new TempDirectory();
        var path = dir.File("all.safetensors");

        SafeTensorsFile.Save(path, original);
        var loaded = SafeTensorsFile.Load(path);
        try
        {
            Assert.HasCount(original.Count, loaded);
            foreach (var (name, expected) in original)
            {
                var actual = loaded[name];
                Assert.AreEqual(expected.dtype, actual.dtype, name);
                CollectionAssert.AreEqual(expected.shape, actual.shape, name);
                CollectionAssert.AreEqual(expected.bytes.ToArray(), actual.bytes.ToArray(), name);
            }
        }
        finally
        {
            DisposeAll(loaded);
        }
    }

    [TestMethod]
    public void WrittenFileHasPaddedHeaderAndPackedAlignedData()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = tensor(new[] { 1f, 2f, 3f }),
            ["a"] = tensor(new float[] { 1f }).to_type(ScalarType.Float16),
            ["c"] = tensor(new[] { 5L, -6L }),
            ["scalar"] = tensor(-1f),
        };
        using var dir = new TempDirectory();
        var path = dir.File("layout.safetensors");

        SafeTensorsFile.Save(path, tensors);

        var (header, data) = RawSafeTensors.Split(path);
        // Largest element size first (I64, then F32 by name, then F16), packed from offset 0.
        const string expectedJson =
            """{"__metadata__":{"format":"pt"},"c":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[3],"data_offsets":[16,28]},"scalar":{"dtype":"F32","shape":[],"data_offsets":[28,32]},"a":{"dtype":"F16","shape":[1],"data_offsets":[32,34]}}""";
        Assert.AreEqual(0, header.Length % 8, "header length is a multiple of 8");
        Assert.AreEqual(expectedJson, header.TrimEnd(' '));
        Assert.AreEqual(expectedJson.Length + (8 - expectedJson.Length % 8) % 8, header.Length, "padded with the fewest spaces");
        byte[] expectedData =
        [
            5, 0, 0, 0, 0, 0, 0, 0, 0xFA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // I64 5, -6
            0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40,  // F32 1, 2, 3
            0x00, 0x00, 0x80, 0xBF,                                                  // F32 -1
            0x00, 0x3C,                                                              // F16 1
        ];
        CollectionAssert.AreEqual(expectedData, data);
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(dir.Path), "no temporary file is left behind");
    }

    [TestMethod]
    public void MetadataRoundTripsAndFormatIsAddedUnlessGiven()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor> { ["w"] = ones(2) };
        using var dir = new TempDirectory();
        var withDefault = dir.File("default.safetensors");
        var withOwnFormat = dir.File("own.safetensors");

        SafeTensorsFile.Save(withDefault, tensors, new Dictionary<string, string> { ["note"] = "héllo \"quoted\"" });
        SafeTensorsFile.Save(withOwnFormat, tensors, new Dictionary<string, string> { ["format"] = "mlx" });

        var metadata = SafeTensorsFile.ReadHeader(withDefault).Metadata;
        Assert.HasCount(2, metadata);
        Assert.AreEqual("pt", metadata["format"]);
        Assert.AreEqual("héllo \"quoted\"", metadata["note"]);
        Assert.AreEqual("mlx", SafeTensorsFile.ReadHeader(withOwnFormat).Metadata["format"]);
    }

    [TestMethod]
    public void LoadByNameReadsOnlyTheRequestedTensors()
    {
        using var dir = new TempDirectory();
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, RawSafeTensors.Build(HandBuiltHeader, HandBuiltData));

        var tensors = SafeTensorsFile.Load(path, ["i64", "f16", "i64"]);
        try
        {
            CollectionAssert.AreEquivalent(new[] { "i64", "f16" }, tensors.Keys.ToArray());
            CollectionAssert.AreEqual(new[] { -1L, 1L << 40 }, tensors["i64"].data<long>().ToArray());
        }
        finally
        {
            DisposeAll(tensors);
        }

        var missing = Assert.ThrowsExactly<KeyNotFoundException>(() => SafeTensorsFile.Load(path, ["f32", "nope"]));
        Assert.Contains("'nope'", missing.Message);
        Assert.Contains(path, missing.Message);
    }

    [TestMethod]
    public void CastToConvertsFloatingTensorsOnly()
    {
        using var dir = new TempDirectory();
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, RawSafeTensors.Build(HandBuiltHeader, HandBuiltData));

        var tensors = SafeTensorsFile.Load(path, castTo: ScalarType.Float32);
        try
        {
            Assert.IsTrue(tensors.Where(t => t.Key != "i64").All(t => t.Value.dtype == ScalarType.Float32));
            CollectionAssert.AreEqual(new[] { 1f, -0.5f }, tensors["f16"].data<float>().ToArray());
            CollectionAssert.AreEqual(new[] { 1f, -3f }, tensors["bf16"].data<float>().ToArray());
            Assert.AreEqual(ScalarType.Int64, tensors["i64"].dtype, "integer tensors keep their type");
            CollectionAssert.AreEqual(new[] { -1L, 1L << 40 }, tensors["i64"].data<long>().ToArray());
        }
        finally
        {
            DisposeAll(tensors);
        }

        var toBf16 = SafeTensorsFile.Load(path, ["f32"], castTo: ScalarType.BFloat16);
        try
        {
            Assert.AreEqual(ScalarType.BFloat16, toBf16["f32"].dtype);
            CollectionAssert.AreEqual(new[] { 1.5f, -2f }, AsFloats(toBf16["f32"]));
        }
        finally
        {
            DisposeAll(toBf16);
        }

        var error = Assert.ThrowsExactly<ArgumentException>(() => SafeTensorsFile.Load(path, castTo: ScalarType.Int64));
        Assert.AreEqual("castTo", error.ParamName);
    }

    [TestMethod]
    public void LoadedTensorsOutliveAnOpenDisposeScope()
    {
        using var dir = new TempDirectory();
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, RawSafeTensors.Build(HandBuiltHeader, HandBuiltData));

        Dictionary<string, Tensor> tensors;
        using (NewDisposeScope())
            tensors = SafeTensorsFile.Load(path);
        try
        {
            Assert.IsFalse(tensors["f32"].IsInvalid);
            CollectionAssert.AreEqual(new[] { 1.5f, -2f }, tensors["f32"].data<float>().ToArray());
        }
        finally
        {
            DisposeAll(tensors);
        }
    }

    [TestMethod]
    public void SaveWritesTheValuesOfViewsAndTensorsThatRequireGrad()
    {
        using var scope = NewDisposeScope();
        var matrix = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        var tensors = new Dictionary<string, Tensor>
        {
            ["transposed"] = matrix.t(),                                  // non-contiguous
            ["column"] = matrix.narrow(1, 1, 1),                          // non-contiguous slice with an offset
            ["trainable"] = ones(2, requires_grad: true),
        };
        using var dir = new TempDirectory();
        var path = dir.File("views.safetensors");

        SafeTensorsFile.Save(path, tensors);

        var loaded = SafeTensorsFile.Load(path);
        try
        {
            CollectionAssert.AreEqual(new long[] { 3, 2 }, loaded["transposed"].shape);
            CollectionAssert.AreEqual(new[] { 0f, 3f, 1f, 4f, 2f, 5f }, loaded["transposed"].data<float>().ToArray());
            CollectionAssert.AreEqual(new[] { 1f, 4f }, loaded["column"].data<float>().ToArray());
            CollectionAssert.AreEqual(new[] { 1f, 1f }, loaded["trainable"].data<float>().ToArray());
        }
        finally
        {
            DisposeAll(loaded);
        }
    }

    [TestMethod]
    public void SaveRejectsTensorsItCannotWriteAndKeepsTheOlderFile()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDirectory();
        var path = dir.File("model.safetensors");
        SafeTensorsFile.Save(path, new Dictionary<string, Tensor> { ["w"] = ones(1) });
        var before = File.ReadAllBytes(path);
        var disposed = ones(1);
        disposed.Dispose();

        var complex = Assert.ThrowsExactly<ArgumentException>(() => SafeTensorsFile.Save(path, new Dictionary<string, Tensor> { ["z"] = zeros(2, dtype: ScalarType.ComplexFloat32) }));
        Assert.Contains("'z'", complex.Message);
        Assert.Contains("ComplexFloat32", complex.Message);
        var reserved = Assert.ThrowsExactly<ArgumentException>(() => SafeTensorsFile.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = ones(1) }));
        Assert.Contains("__metadata__", reserved.Message);
        var gone = Assert.ThrowsExactly<ArgumentException>(() => SafeTensorsFile.Save(path, new Dictionary<string, Tensor> { ["d"] = disposed }));
        Assert.Contains("disposed", gone.Message);

        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [TestMethod]
    public void SaveReplacesAnExistingFile()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDirectory();
        var path = dir.File("model.safetensors");
        SafeTensorsFile.Save(path, new Dictionary<string, Tensor> { ["old"] = ones(100) });

        SafeTensorsFile.Save(path, new Dictionary<string, Tensor> { ["new"] = full(2, 7L) });

        var loaded = SafeTensorsFile.Load(path);
        try
        {
            CollectionAssert.AreEqual(new[] { "new" }, loaded.Keys.ToArray());
            CollectionAssert.AreEqual(new[] { 7L, 7L }, loaded["new"].data<long>().ToArray());
        }
        finally
        {
            DisposeAll(loaded);
        }
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [TestMethod]
    public void EmptyDictionaryRoundTrips()
    {
        using var dir = new TempDirectory();
        var path = dir.File("empty.safetensors");

        SafeTensorsFile.Save(path, new Dictionary<string, Tensor>());

        Assert.IsEmpty(SafeTensorsFile.Load(path));
        Assert.AreEqual("""{"__metadata__":{"format":"pt"}}""", RawSafeTensors.Split(path).Header.TrimEnd(' '));
    }

    [TestMethod]
    public void MissingFileThrowsFileNotFound()
    {
        using var dir = new TempDirectory();
        Assert.ThrowsExactly<FileNotFoundException>(() => SafeTensorsFile.Load(dir.File("absent.safetensors")));
    }

    [TestMethod]
    public void RealCheckpointLoadsWithKnownValues()
    {
        var path = SharedAssets.Require("models/stories260k/model.safetensors");

        var header = SafeTensorsFile.ReadHeader(path);
        Assert.HasCount(47, header.Entries);
        Assert.AreEqual(8L + 4856, header.DataStart);

        var tensors = SafeTensorsFile.Load(path, ["model.norm.weight", "model.layers.4.mlp.down_proj.weight"]);
        try
        {
            // Values read from the file independently (Python struct over the raw bytes).
            var norm = tensors["model.norm.weight"].data<float>().ToArray();
            Assert.HasCount(64, norm);
            Assert.AreEqual(2.4583089351654053f, norm[0]);
            Assert.AreEqual(1.7077769041061401f, norm[63]);
            Assert.AreEqual(115.95276230573654, norm.Sum(v => (double)v), 1e-9);
            var down = tensors["model.layers.4.mlp.down_proj.weight"];
            CollectionAssert.AreEqual(new long[] { 64, 172 }, down.shape);
            Assert.AreEqual(-0.04791264981031418f, down[0, 0].item<float>());
            Assert.AreEqual(19.543787761240765, down.data<float>().ToArray().Sum(v => (double)v), 1e-9);
        }
        finally
        {
            DisposeAll(tensors);
        }
    }

    internal static float[] AsFloats(Tensor t)
    {
        using var asFloat = t.to_type(ScalarType.Float32);
        return asFloat.data<float>().ToArray();
    }

    internal static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }
}
