namespace XRight.IO;

/// <summary>
/// Writes a whole folder into a temporary sibling (<c>.&lt;name&gt;.&lt;guid&gt;.tmp</c>) and swaps it into
/// place only when every file is complete, so a failure while writing leaves an existing folder
/// byte-identical and no temporary files behind.
/// </summary>
internal static class AtomicFolder
{
    /// <summary>
    /// Runs <paramref name="write"/> on an empty staging folder, then replaces <paramref name="folder"/> with it.
    /// Entries of the existing folder that the new one lacks are copied over unless <paramref name="replaces"/>
    /// says the writer owns that name (a stale file of an older layout, for instance), so unrelated files
    /// beside a model (a README, tokenizer files) survive a save.
    /// </summary>
    /// <param name="folder">The target folder; created (with its parents) when missing.</param>
    /// <param name="write">Writes the folder's content into the staging folder it is given.</param>
    /// <param name="replaces">True for a file name the writer governs: an old copy is dropped, not carried over.</param>
    public static void Write(string folder, Action<string> write, Func<string, bool> replaces)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{folder}' is a root folder; a model cannot be saved as one.", nameof(folder));
        var name = Path.GetFileName(full);
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(staging);
            write(staging);
            if (!Directory.Exists(full))
            {
                Directory.Move(staging, full);
                return;
            }
            foreach (var entry in Directory.EnumerateFileSystemEntries(full))
            {
                var entryName = Path.GetFileName(entry);
                var target = Path.Combine(staging, entryName);
                if (replaces(entryName) || File.Exists(target) || Directory.Exists(target)) continue;
                if (Directory.Exists(entry)) CopyDirectory(entry, target);
                else File.Copy(entry, target);
            }
            var old = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.old");
            Directory.Move(full, old);
            try
            {
                Directory.Move(staging, full);
            }
            catch
            {
                Directory.Move(old, full);
                throw;
            }
            TryDelete(old);
        }
        finally
        {
            if (Directory.Exists(staging)) TryDelete(staging);
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        foreach (var sub in Directory.EnumerateDirectories(source))
            CopyDirectory(sub, Path.Combine(target, Path.GetFileName(sub)));
    }

    private static void TryDelete(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
