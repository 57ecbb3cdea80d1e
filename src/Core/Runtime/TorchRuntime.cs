using System.Runtime.InteropServices;
using TorchSharp;
using XRight.Runtime.NativeFix;

namespace XRight.Runtime;

/// <summary>Loads TorchSharp's native back end once, with a clear error when that is impossible.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<bool> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Makes sure libtorch and TorchSharp's shim are loaded. Every library entry point that touches
    /// tensors calls this; call it yourself before using TorchSharp directly in the same process.
    /// </summary>
    /// <exception cref="TorchLoadException">The native libraries cannot be loaded; the message says which file and why.</exception>
    public static void EnsureLoaded() => _ = Loaded.Value;

    private static bool Load()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return true;
        }
        catch (Exception e) when (e is not TorchLoadException)
        {
            throw Diagnose(e);
        }
    }

    // TorchSharp's own message lists its search steps but not the loader's reason; dlopen gives that.
    private static TorchLoadException Diagnose(Exception torchError)
    {
        var shim = NativeFixInitializer.ShimPath;
        if (shim is null)
            return new TorchLoadException(TorchSharpShimFix.ShimFileName,
                $"it is not in the application folder '{AppContext.BaseDirectory}'. Reference the TorchSharp-cpu package (or a TorchSharp-cuda package) from the application.", torchError);
        string reason;
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(shim));
            reason = "the library loads on its own, but TorchSharp failed to initialise: " + torchError.Message.Split('\n')[0];
        }
        catch (DllNotFoundException loadError)
        {
            reason = loadError.Message;
        }
        if (NativeFixInitializer.Failure is { } fixFailure)
            reason += $" (the libstdc++ compatibility fix could not be applied: {fixFailure})";
        return new TorchLoadException(shim, reason, torchError);
    }
}
