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
}
