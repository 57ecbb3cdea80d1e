namespace XRight.Modeling;

/// <summary>The architecture families this library implements. A new family is one file with its <see cref="IArchitecture"/> and one line here.</summary>
internal static class Architectures
{
    public static readonly IReadOnlyList<IArchitecture> All =
    [
        new GptNeoXArchitecture(),
        new LlamaArchitecture(),
        new OptArchitecture(),
    ];

    /// <summary>Every <c>model_type</c> some family reads, in registration order.</summary>
    public static IReadOnlyList<string> ModelTypes { get; } = [.. All.SelectMany(a => a.ModelTypes)];

    /// <summary>The family that reads <paramref name="modelType"/>.</summary>
    /// <exception cref="NotSupportedException">No family does; the message names <paramref name="source"/>, the value and the known types.</exception>
    public static IArchitecture For(string modelType, string source) =>
        All.FirstOrDefault(a => a.ModelTypes.Contains(modelType))
        ?? throw new NotSupportedException($"{source}: model_type '{modelType}' is not supported; supported: {string.Join(", ", ModelTypes)}.");
}
