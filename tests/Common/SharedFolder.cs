namespace XRight.Tests;

/// <summary>
/// Where the read-only assets beside the repository live: the XRIGHT_SHARED_DIR environment variable, else the
/// sibling <c>shared</c> of the repository root (the folder holding XRight.sln). Used by the tests and the benchmarks.
/// </summary>
internal static class SharedFolder
{
    /// <summary>The folder, or null when there is none.</summary>
    public static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("XRIGHT_SHARED_DIR");
        if (!string.IsNullOrEmpty(fromEnv)) return Directory.Exists(fromEnv) ? fromEnv : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "XRight.sln")))
            {
                var shared = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return Directory.Exists(shared) ? shared : null;
            }
        }
        return null;
    }
}
