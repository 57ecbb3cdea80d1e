namespace XRight.Modeling.SafeTensors;

/// <summary>The validated header of a safetensors file.</summary>
/// <param name="Entries">The tensors, in the order their data lies in the file.</param>
/// <param name="Metadata">The free-form string metadata (<c>__metadata__</c>); empty when the file has none.</param>
/// <param name="DataStart">Absolute file offset of the data section: 8 plus the header's length.</param>
public sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart);
