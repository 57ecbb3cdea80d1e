using System.Runtime.CompilerServices;

namespace XRight.Runtime.NativeFix;

/// <summary>
/// Run-time half of the TorchSharp native fix: before any code of this library runs, patches the copy
/// of the shim next to the application when the system libstdc++ needs it. The build-time half
/// (build/XRight.Core.targets) normally did this already, and then this is a cheap check.
/// </summary>
internal static class NativeFixInitializer
{
    /// <summary>The shim this process will load, or null where there is none next to the application.</summary>
    internal static string? ShimPath { get; private set; }

    /// <summary>Why the fix could not be applied, reported by <see cref="TorchRuntime.EnsureLoaded"/>; null when it could.</summary>
    internal static string? Failure { get; private set; }

#pragma warning disable CA2255 // A library module initializer is the point: it must run before TorchSharp's first native load.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        ShimPath = FindShim();
        if (ShimPath is null || !OperatingSystem.IsLinux()) return;
        try
        {
            if (TorchSharpShimFix.IsNeeded()) TorchSharpShimFix.Apply(ShimPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Never throw from a module initializer (it would make every type of the assembly unusable);
            // TorchRuntime.EnsureLoaded reports this together with the load failure it causes.
            Failure = e.Message;
        }
    }

    private static string? FindShim()
    {
        foreach (var relative in new[] { Path.Combine("runtimes", "linux-x64", "native", TorchSharpShimFix.ShimFileName), TorchSharpShimFix.ShimFileName })
        {
            var path = Path.Combine(AppContext.BaseDirectory, relative);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
