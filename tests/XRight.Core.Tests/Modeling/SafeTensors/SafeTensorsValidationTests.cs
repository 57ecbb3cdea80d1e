using System.Text;
using XRight.Modeling.SafeTensors;

namespace XRight.Tests.Modeling.SafeTensors;

/// <summary>Hostile and broken files fail with a <see cref="SafeTensorsFormatException"/> that names the file and the fault.</summary>
[TestClass]
public sealed class SafeTensorsValidationTests
{
    private static readonly byte[] EightBytes = new byte[8];

    [TestMethod]
    public void FileShorterThanTheLengthField() =>
        AssertRejected(new byte[5], "5 bytes long");

    [TestMethod]
    public void HeaderLengthBeyondTheFile() =>
        AssertRejected(RawSafeTensors.Build(Encoding.UTF8.GetBytes("{}"), [], declaredHeaderLength: 1000), "only 2 bytes follow");

    [TestMethod]
    public void AbsurdHeaderLengthIsCappedBeforeAllocating() =>
        AssertRejected(RawSafeTensors.Build(Encoding.UTF8.GetBytes("{}"), [], declaredHeaderLength: 1UL << 62), "above the 100000000-byte limit");

    [TestMethod]
    public void HeaderThatIsNotUtf8() =>
        AssertRejected(RawSafeTensors.Build([(byte)'{', 0xFF, 0xFE, (byte)'}'], []), "not valid UTF-8");

    [TestMethod]
    public void HeaderThatIsNotJson() =>
        AssertRejected(RawSafeTensors.Build("{\"w\": "), "not valid JSON");

    [TestMethod]
    public void EmptyHeader() =>
        AssertRejected(RawSafeTensors.Build(""), "not valid JSON");

    [TestMethod]
    public void HeaderThatIsNotAnObject() =>
        AssertRejected(RawSafeTensors.Build("[1, 2]"), "must be a JSON object; found an array");

    [TestMethod]
    public void EntryThatIsNotAnObject() =>
        AssertRejected(RawSafeTensors.Build("""{"w":"F32"}"""), "tensor 'w': its description must be an object");

    [TestMethod]
    public void EntryWithoutDType() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"shape":[2],"data_offsets":[0,8]}}""", EightBytes), "tensor 'w': its description has no \"dtype\"");

    [TestMethod]
    public void EntryWithoutShape() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","data_offsets":[0,8]}}""", EightBytes), "tensor 'w': its description has no \"shape\"");

    [TestMethod]
    public void EntryWithoutDataOffsets() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[2]}}""", EightBytes), "tensor 'w': its description has no \"data_offsets\"");

    [TestMethod]
    public void UnknownDType() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}""", EightBytes), "dtype 'F8_E4M3' is not supported");

    [TestMethod]
    public void NegativeDimension() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", EightBytes), "\"shape\" must be an array of non-negative integers; found -2");

    [TestMethod]
    public void FractionalDimension() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", EightBytes), "found 2.5");

    [TestMethod]
    public void ElementCountThatOverflows() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", EightBytes), "more bytes than a 64-bit count can hold");

    [TestMethod]
    public void OffsetsThatEndBeforeTheyBegin() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", EightBytes), "data_offsets [8, 0] end before they begin");

    [TestMethod]
    public void DataOffsetsWithThreeNumbers() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}""", EightBytes), "exactly two numbers");

    [TestMethod]
    public void HugeTensorBeyondTheDataIsRejectedBeforeAllocating() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4398046511104]}}""", EightBytes), "run past the end of the data section (8 bytes)");

    [TestMethod]
    public void TruncatedData() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", EightBytes), "run past the end of the data section (8 bytes)");

    [TestMethod]
    public void ByteLengthThatDisagreesWithTheShape() =>
        AssertRejected(RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", EightBytes), "shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8");

    [TestMethod]
    public void OverlappingTensors() =>
        AssertRejected(RawSafeTensors.Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", EightBytes), "tensor 'b': its data [4, 8] overlaps tensor 'a'");

    [TestMethod]
    public void GapBetweenTensors() =>
        AssertRejected(RawSafeTensors.Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[6,8]}}""", EightBytes), "tensor 'b': its data starts at 6 but the previous tensor ends at 4");

    [TestMethod]
    public void TrailingBytesAfterTheLastTensor() =>
        AssertRejected(RawSafeTensors.Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", EightBytes), "the tensors cover 4 bytes of data but the data section holds 8");

    [TestMethod]
    public void DuplicateTensorNames() =>
        AssertRejected(RawSafeTensors.Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", EightBytes), "names 'a' more than once");

    [TestMethod]
    public void MetadataWithANonStringValue() =>
        AssertRejected(RawSafeTensors.Build("""{"__metadata__":{"format":"pt","step":3}}"""), "\"__metadata__\" entry 'step' must be a string; found the number 3");

    [TestMethod]
    public void ZeroSizedTensorsAtAnyBoundaryAreValid()
    {
        using var dir = new TempDirectory();
        var path = dir.File("zero.safetensors");
        File.WriteAllBytes(path, RawSafeTensors.Build(
            """{"z1":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"z2":{"dtype":"I64","shape":[3,0],"data_offsets":[8,8]}}""", EightBytes));

        var header = SafeTensorsFile.ReadHeader(path);

        CollectionAssert.AreEqual(new[] { "z1", "a", "z2" }, header.Entries.Select(e => e.Name).ToArray());
        var tensors = SafeTensorsFile.Load(path);
        CollectionAssert.AreEqual(new long[] { 3, 0 }, tensors["z2"].shape);
        SafeTensorsFileTests.DisposeAll(tensors);
    }

    [TestMethod]
    public void ReadHeaderAndLoadRejectTheSameFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, RawSafeTensors.Build("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", EightBytes));

        var error = Assert.ThrowsExactly<SafeTensorsFormatException>(() => SafeTensorsFile.Load(path));

        Assert.AreEqual(path, error.FilePath);
        Assert.StartsWith($"Invalid safetensors data in '{path}': tensor 'w'", error.Message);
        Assert.IsInstanceOfType<IOException>(error);
    }

    private static void AssertRejected(byte[] file, string expectedReason)
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, file);

        var error = Assert.ThrowsExactly<SafeTensorsFormatException>(() => SafeTensorsFile.ReadHeader(path));

        Assert.AreEqual(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains(expectedReason, error.Reason);
    }
}
