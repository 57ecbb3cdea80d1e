using XRight.IO;

namespace XRight.Tests.IO;

[TestClass]
public sealed class AtomicFileTests
{
    [TestMethod]
    public void FailureWhileWritingKeepsTheOlderFilesAndLeavesNoTemporary()
    {
        using var dir = new TempDirectory();
        var first = dir.File("first.bin");
        var second = dir.File("second.bin");
        File.WriteAllBytes(first, [1, 2, 3]);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.WriteAll(
        [
            (first, stream => stream.Write([9, 9, 9, 9])),
            (second, stream => { stream.Write([5]); throw new InvalidOperationException("disk full"); }),
        ]));

        Assert.AreEqual("disk full", error.Message);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, File.ReadAllBytes(first), "no file is renamed until all are written");
        CollectionAssert.AreEqual(new[] { first }, Directory.GetFiles(dir.Path));
    }

    [TestMethod]
    public void WriteReplacesTheFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("file.bin");
        File.WriteAllBytes(path, [1, 2, 3]);

        AtomicFile.Write(path, stream => stream.Write([4, 5]));

        CollectionAssert.AreEqual(new byte[] { 4, 5 }, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [TestMethod]
    public void MissingFolderIsCreated()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "absent", "file.bin");

        AtomicFile.WriteAllText(path, "é");

        CollectionAssert.AreEqual(new byte[] { 0xC3, 0xA9 }, File.ReadAllBytes(path), "UTF-8 without a byte-order mark");
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(Path.Combine(dir.Path, "absent")));
    }
}
