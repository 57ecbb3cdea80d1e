using Microsoft.ML;

namespace XRight.Tests.Data;

/// <summary>Counts this process's open handles to a file, from Linux's /proc/self/fd.</summary>
internal static class OpenFileHandles
{
    public static int To(string path)
    {
        const string Descriptors = "/proc/self/fd";
        if (!Directory.Exists(Descriptors))
            Assert.Inconclusive("Skipped: counting open file handles needs Linux's /proc/self/fd.");
        var target = Path.GetFullPath(path);
        var count = 0;
        foreach (var descriptor in Directory.EnumerateFileSystemEntries(Descriptors))
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget == target) count++;
            }
            catch (IOException)
            {
                // The descriptor was closed between listing and reading it (another thread's file).
            }
        }
        return count;
    }

    /// <summary>
    /// A cursor over <paramref name="view"/> holds one handle to <paramref name="path"/> once it has moved,
    /// and releases it when disposed or when it runs past the last row; the view itself holds none.
    /// </summary>
    public static void AssertCursorsReleaseTheFile(IDataView view, string path)
    {
        Assert.AreEqual(0, To(path), "making the view leaves the file closed");

        var disposed = view.GetRowCursor(view.Schema);
        Assert.IsTrue(disposed.MoveNext());
        Assert.AreEqual(1, To(path));
        disposed.Dispose();
        Assert.AreEqual(0, To(path));

        using var exhausted = view.GetRowCursor(view.Schema);
        while (exhausted.MoveNext()) { }
        Assert.AreEqual(0, To(path));
    }
}
