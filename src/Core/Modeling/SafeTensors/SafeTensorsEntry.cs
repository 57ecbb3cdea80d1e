namespace XRight.Modeling.SafeTensors;

/// <summary>One tensor described by a safetensors header.</summary>
/// <param name="Name">The tensor's name (a Hugging Face parameter name for model weights).</param>
/// <param name="DType">The safetensors dtype name: F64, F32, F16, BF16, I64, I32, I16, I8, U8 or BOOL.</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="Begin">Offset of the first byte, relative to <see cref="SafeTensorsHeader.DataStart"/>.</param>
/// <param name="End">Offset one past the last byte, relative to <see cref="SafeTensorsHeader.DataStart"/>.</param>
public sealed record SafeTensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);
