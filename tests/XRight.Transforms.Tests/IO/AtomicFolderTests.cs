using XRight.IO;

namespace XRight.Tests.IO;

[TestClass]
public sealed class AtomicFolderTests
{
    private static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    private static void AssertSame(Dictionary<string, byte[]> expected, string folder)
    {
        var actual = Snapshot(folder);
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray());
        foreach (var (name, bytes) in expected) CollectionAssert.AreEqual(bytes, actual[name], name);
    }

    [TestMethod]
    public void FailureWhileWritingLeavesTheOldFolderByteIdenticalAndNoTemporaries()
    {
        using var dir = new TempDirectory();
        var target = dir.File("model");
        Directory.CreateDirectory(target);
        File.WriteAllBytes(Path.Combine(target, "weights.bin"), [1, 2, 3]);
        File.WriteAllText(Path.Combine(target, "README.md"), "keep me");
        var before = Snapshot(target);

        var error = Assert.ThrowsExactly<IOException>(() => AtomicFolder.Write(target, staging =>
        {
            File.WriteAllBytes(Path.Combine(staging, "weights.bin"), [9]);
            throw new IOException("disk full");
        }, _ => true));

        Assert.AreEqual("disk full", error.Message);
        AssertSame(before, target);
        CollectionAssert.AreEqual(new[] { "model" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void SuccessReplacesOwnedFilesAndCarriesOverTheRest()
    {
        using var dir = new TempDirectory();
        var target = dir.File("model");
        Directory.CreateDirectory(Path.Combine(target, "extra"));
        File.WriteAllBytes(Path.Combine(target, "weights.bin"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(target, "stale.bin"), [4]);
        File.WriteAllText(Path.Combine(target, "README.md"), "keep me");
        File.WriteAllText(Path.Combine(target, "extra", "note.txt"), "nested");

        AtomicFolder.Write(target, staging => File.WriteAllBytes(Path.Combine(staging, "weights.bin"), [7, 7]), name => name is "weights.bin" or "stale.bin");

        CollectionAssert.AreEqual(new byte[] { 7, 7 }, File.ReadAllBytes(Path.Combine(target, "weights.bin")));
        Assert.IsFalse(File.Exists(Path.Combine(target, "stale.bin")), "a file the writer owns and did not write is dropped");
        Assert.AreEqual("keep me", File.ReadAllText(Path.Combine(target, "README.md")));
        Assert.AreEqual("nested", File.ReadAllText(Path.Combine(target, "extra", "note.txt")));
        CollectionAssert.AreEqual(new[] { "model" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void AMissingFolderIsCreatedWithItsParents()
    {
        using var dir = new TempDirectory();
        var target = Path.Combine(dir.Path, "a", "b");
        AtomicFolder.Write(target, staging => File.WriteAllText(Path.Combine(staging, "x.txt"), "x"), _ => true);
        Assert.AreEqual("x", File.ReadAllText(Path.Combine(target, "x.txt")));
        CollectionAssert.AreEqual(new[] { "b" }, Directory.GetFileSystemEntries(Path.Combine(dir.Path, "a")).Select(Path.GetFileName).ToArray());
    }
}
