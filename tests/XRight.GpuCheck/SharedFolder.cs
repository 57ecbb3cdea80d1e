namespace XRight.GpuCheck;

/// <summary>
/// The shared assets folder (real checkpoints such as models/stories260k), found as the tests find it: the given
/// folder, else XRIGHT_SHARED_DIR, else the <c>shared</c> folder beside the repository root (the folder holding
/// XRight.sln, searched upwards from the program and from the working directory).
/// </summary>
internal static class SharedFolder
{
    public static string? Find(string? given)
    {
        if (!string.IsNullOrEmpty(given)) return Directory.Exists(given) ? Path.GetFullPath(given) : null;
        var fromEnv = Environment.GetEnvironmentVariable("XRIGHT_SHARED_DIR");
        if (!string.IsNullOrEmpty(fromEnv)) return Directory.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "XRight.sln")))
                {
                    var shared = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                    if (Directory.Exists(shared)) return shared;
                    break;
                }
        return null;
    }
}
