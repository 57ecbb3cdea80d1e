using System.Diagnostics.CodeAnalysis;
using TorchSharp;

namespace XRight.Modeling.SafeTensors;

/// <summary>The element types this library reads and writes, with their safetensors names and sizes.</summary>
internal sealed record SafeTensorsDType(string Name, torch.ScalarType ScalarType, int Size, bool IsFloating)
{
    public static readonly IReadOnlyList<SafeTensorsDType> All =
    [
        new("F64", torch.ScalarType.Float64, 8, true),
        new("F32", torch.ScalarType.Float32, 4, true),
        new("F16", torch.ScalarType.Float16, 2, true),
        new("BF16", torch.ScalarType.BFloat16, 2, true),
        new("I64", torch.ScalarType.Int64, 8, false),
        new("I32", torch.ScalarType.Int32, 4, false),
        new("I16", torch.ScalarType.Int16, 2, false),
        new("I8", torch.ScalarType.Int8, 1, false),
        new("U8", torch.ScalarType.Byte, 1, false),
        new("BOOL", torch.ScalarType.Bool, 1, false),
    ];

    private static readonly Dictionary<string, SafeTensorsDType> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);
    private static readonly Dictionary<torch.ScalarType, SafeTensorsDType> ByScalarType = All.ToDictionary(d => d.ScalarType);

    /// <summary>The supported names, for error messages.</summary>
    public static string SupportedNames => string.Join(", ", All.Select(d => d.Name));

    public static bool TryFromName(string name, [NotNullWhen(true)] out SafeTensorsDType? dtype) => ByName.TryGetValue(name, out dtype);

    public static bool TryFromScalarType(torch.ScalarType type, [NotNullWhen(true)] out SafeTensorsDType? dtype) => ByScalarType.TryGetValue(type, out dtype);

    public static SafeTensorsDType FromName(string name) =>
        ByName.TryGetValue(name, out var dtype) ? dtype : throw new ArgumentException($"Unsupported safetensors dtype '{name}'; supported: {SupportedNames}.", nameof(name));
}
