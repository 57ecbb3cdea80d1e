using System.IO.Compression;
using System.Reflection;
using Microsoft.ML;

namespace XRight.MLNet;

/// <summary>
/// Loads model zips so that failures are plain and name the file: the path must exist and be a zip
/// before ML.NET sees it, loader exceptions come out of ML.NET's reflection wrappers (the real exception
/// type, its message prefixed with the path), and a failed load leaves no ML.NET scratch folder behind.
/// </summary>
/// <remarks>
/// ML.NET (5.0) extracts a model zip into a scratch folder <c>ml_dotnet*</c> under <see cref="Path.GetTempPath"/>
/// and deletes it when the load ends normally; when the zip itself cannot be opened the folder it created
/// first stays behind. The up-front zip check means ML.NET never opens a file that is not a zip; after
/// any other failure, <c>ml_dotnet*</c> folders that appeared during this call and are empty are removed.
/// A folder ML.NET leaves with files in it is not touched (it may belong to a concurrent load), so the
/// clean-up is best effort, not a guarantee.
/// </remarks>
internal static class ModelZipLoader
{
    private const string MlNetScratchPrefix = "ml_dotnet";

    public static ITransformer Load(MLContext context, string path, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new FileNotFoundException($"'{path}' is a folder, not a model zip.", path);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}': the model zip does not exist.", path);
        CheckZip(path);
        var before = ScratchFolders();
        try
        {
            return context.Model.Load(path, out inputSchema);
        }
        catch (Exception e)
        {
            RemoveNewEmptyScratchFolders(before);
            throw WithPath(path, Unwrap(e));
        }
    }

    private static void CheckZip(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            _ = zip.Entries.Count;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable model zip ({e.Message}); it may be cut short or not a zip file.", e);
        }
    }

    /// <summary>The exception a loader threw, without the reflection wrappers ML.NET adds around it.</summary>
    internal static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException { InnerException: { } inner }) e = inner;
        return e;
    }

    /// <summary>An exception of the same type whose message starts with the path (or the same one when it names it already).</summary>
    internal static Exception WithPath(string path, Exception e)
    {
        if (e.Message.Contains(path, StringComparison.Ordinal)) return e;
        var message = $"'{path}': {e.Message}";
        try
        {
            if (Activator.CreateInstance(e.GetType(), message, e) is Exception same) return same;
        }
        catch (MissingMethodException) { }
        catch (TargetInvocationException) { }
        return e is IOException ? new InvalidDataException(message, e) : new InvalidOperationException(message, e);
    }

    private static HashSet<string> ScratchFolders()
    {
        try { return [.. Directory.EnumerateDirectories(Path.GetTempPath(), MlNetScratchPrefix + "*")]; }
        catch (IOException) { return []; }
    }

    private static void RemoveNewEmptyScratchFolders(HashSet<string> before)
    {
        foreach (var folder in ScratchFolders())
        {
            if (before.Contains(folder)) continue;
            try
            {
                if (!Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
