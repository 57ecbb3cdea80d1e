namespace XRight.Tests;

/// <summary>
/// The read-only assets kept beside the repository in <c>../shared</c> (real tokenizer files, real data
/// subsets, a tiny pretrained model). Tests that need them skip with a clear message when absent.
/// The folder is found by <see cref="SharedFolder"/>.
/// </summary>
internal static class SharedAssets
{
    private static readonly Lazy<string?> RootPath = new(SharedFolder.Find);

    /// <summary>The assets folder, or null when there is none.</summary>
    public static string? Root => RootPath.Value;

    /// <summary>Full path of an asset; marks the test inconclusive (skipped) when it is missing.</summary>
    public static string Require(string relativePath)
    {
        var root = Root;
        var path = root is null ? null : Path.Combine(root, relativePath);
        if (path is null || !(File.Exists(path) || Directory.Exists(path)))
            Assert.Inconclusive($"Skipped: this test needs the shared asset '{relativePath}' from the 'shared' folder beside the repository (or XRIGHT_SHARED_DIR), which is not present.");
        return path!;
    }
}
