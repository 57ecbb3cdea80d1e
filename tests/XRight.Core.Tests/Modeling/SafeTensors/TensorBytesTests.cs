using XRight.Modeling.SafeTensors;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling.SafeTensors;

/// <summary>The slice-by-slice copy that lets tensors above 2 GB move without a whole-tensor buffer, exercised with tiny slices.</summary>
[TestClass]
public sealed class TensorBytesTests
{
    // 10 floats in slices of 12 bytes (3 elements): 3 + 3 + 3 + 1, the last slice partial.
    [TestMethod]
    public void WriteInSlicesProducesTheTensorBytes()
    {
        using var scope = NewDisposeScope();
        var source = arange(10, dtype: ScalarType.Float32);
        using var output = new MemoryStream();

        TensorBytes.Write(source, output, chunkBytes: 12);

        var expected = Enumerable.Range(0, 10).SelectMany(i => BitConverter.GetBytes((float)i)).ToArray();
        CollectionAssert.AreEqual(expected, output.ToArray());
    }

    [TestMethod]
    public void ReadInSlicesFillsTheTensorFromTheOffset()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDirectory();
        var path = dir.File("raw.bin");
        var values = new[] { -3L, 1L << 50, 7L, long.MinValue, 42L };
        File.WriteAllBytes(path, [0xAA, 0xBB, 0xCC, .. values.SelectMany(BitConverter.GetBytes)]);
        var target = empty(5, dtype: ScalarType.Int64);

        using (var file = File.OpenHandle(path))
            TensorBytes.Read(file, offset: 3, target, path, chunkBytes: 5);   // smaller than one element: one element per slice

        CollectionAssert.AreEqual(values, target.data<long>().ToArray());
    }

    [TestMethod]
    public void ReadPastTheEndOfTheFileIsAFormatError()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDirectory();
        var path = dir.File("short.bin");
        File.WriteAllBytes(path, new byte[6]);
        var target = empty(2, dtype: ScalarType.Float32);

        using var file = File.OpenHandle(path);
        var error = Assert.ThrowsExactly<SafeTensorsFormatException>(() => TensorBytes.Read(file, 0, target, path));

        Assert.Contains("ends at byte 6 but 2 more bytes were expected", error.Reason);
    }

    [TestMethod]
    public void NonContiguousTensorsAreRefused()
    {
        using var scope = NewDisposeScope();
        var transposed = zeros(2, 3).t();

        Assert.ThrowsExactly<ArgumentException>(() => TensorBytes.Write(transposed, new MemoryStream()));
    }
}
