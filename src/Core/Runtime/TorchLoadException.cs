namespace XRight.Runtime;

/// <summary>TorchSharp's native libraries could not be loaded; the message names the file and the reason.</summary>
public sealed class TorchLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchLoadException(string nativeFile, string reason, Exception? inner = null)
        : base($"TorchSharp could not load its native library '{nativeFile}': {reason}", inner)
    {
        NativeFile = nativeFile;
        Reason = reason;
    }

    /// <summary>The native file that failed to load.</summary>
    public string NativeFile { get; }

    /// <summary>The loader's reason.</summary>
    public string Reason { get; }
}
