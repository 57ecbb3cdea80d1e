namespace XRight.Modeling.SafeTensors;

/// <summary>
/// A safetensors file or a sharded checkpoint's index is malformed or inconsistent; the message names
/// the file and says what is wrong.
/// </summary>
/// <remarks>
/// An <see cref="IOException"/>, so code that handles failures to read model files catches it too
/// (<see cref="InvalidDataException"/> is sealed and cannot be the base).
/// </remarks>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file that is wrong.</param>
    /// <param name="reason">What is wrong with it: what was expected and what was found.</param>
    /// <param name="inner">The lower-level error, if any (a JSON parse error, for example).</param>
    public SafeTensorsFormatException(string filePath, string reason, Exception? inner = null)
        : base($"Invalid safetensors data in '{filePath}': {reason}", inner)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>The file that is wrong.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with the file.</summary>
    public string Reason { get; }
}
