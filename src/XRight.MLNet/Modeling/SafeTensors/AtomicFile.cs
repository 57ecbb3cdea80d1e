namespace XRight.Modeling.SafeTensors;

/// <summary>
/// Writes files under a temporary name in the target folder and renames them into place, so a crash
/// never leaves a half-written file under the real name.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through a temporary file.</summary>
    public static void Write(string path, Action<Stream> write) => WriteAll([(path, write)]);

    /// <summary>
    /// Writes the content destined for <paramref name="path"/> to a new temporary file beside it, flushed
    /// to disk (so a rename after a power loss never exposes an empty file), and returns its path.
    /// </summary>
    private static string WriteTemporary(string path, Action<Stream> write)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Cannot write '{path}': the folder '{folder}' does not exist.");
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            return temporary;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Writes several files: every one to a temporary name first, then all renamed into place in the
    /// given order, so no real name is touched until every file is complete.
    /// </summary>
    public static void WriteAll(IReadOnlyList<(string Path, Action<Stream> Write)> files)
    {
        var temporaries = new List<string>(files.Count);
        try
        {
            foreach (var (path, write) in files)
                temporaries.Add(WriteTemporary(path, write));
            for (var i = 0; i < files.Count; i++)
                Commit(temporaries[i], files[i].Path);
        }
        finally
        {
            // Committed temporaries no longer exist; these are the ones a failure left behind.
            foreach (var temporary in temporaries) File.Delete(temporary);
        }
    }

    private static void Commit(string temporary, string path) => File.Move(temporary, path, overwrite: true);
}
