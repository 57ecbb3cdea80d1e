using System.Text;

namespace XRight.IO;

/// <summary>
/// Writes files under a temporary name in the target folder, flushed to disk, and renames them into
/// place, so a crash never leaves a half-written file under the real name. The target folder is
/// created when missing.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through a temporary file.</summary>
    public static void Write(string path, Action<Stream> write) => WriteAll([(path, write)]);

    /// <summary>Writes UTF-8 text (no byte-order mark).</summary>
    public static void WriteAllText(string path, string text)
        => Write(path, stream => stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text)));

    /// <summary>Writes bytes.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

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
                File.Move(temporaries[i], files[i].Path, overwrite: true);
        }
        finally
        {
            // Renamed temporaries no longer exist; these are the ones a failure left behind.
            foreach (var temporary in temporaries) File.Delete(temporary);
        }
    }

    /// <summary>A temporary file name beside <paramref name="path"/> (same folder, so the rename never crosses file systems).</summary>
    public static string TemporaryPathFor(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    private static string WriteTemporary(string path, Action<Stream> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = TemporaryPathFor(path);
        try
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 20);
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return temporary;
    }
}
