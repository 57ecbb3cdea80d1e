using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace XRight.Modeling.SafeTensors;

/// <summary>
/// Moves raw bytes between files and a CPU tensor's own memory, without an intermediate managed copy.
/// TorchSharp exposes a contiguous CPU tensor's memory as a <see cref="Span{T}"/> of at most
/// <see cref="int.MaxValue"/> bytes, so larger tensors are copied through 1-D slices of the tensor.
/// The bytes are the host's in-memory representation, which is the file's little-endian layout on the
/// little-endian hosts this library supports.
/// </summary>
internal static class TensorBytes
{
    /// <summary>Bytes per slice: large enough that per-slice overhead vanishes, far below the span limit.</summary>
    public const long DefaultChunkBytes = 64L << 20;

    /// <summary>Fills a freshly allocated contiguous CPU tensor from <paramref name="file"/> at <paramref name="offset"/>.</summary>
    public static void Read(SafeFileHandle file, long offset, torch.Tensor tensor, string path, long chunkBytes = DefaultChunkBytes)
    {
        foreach (var (slice, sliceOffset) in Slices(tensor, chunkBytes))
        {
            using (slice)
                ReadExactly(file, slice.bytes, offset + sliceOffset, path);
        }
    }

    /// <summary>Writes a contiguous CPU tensor's bytes to <paramref name="output"/>.</summary>
    public static void Write(torch.Tensor tensor, Stream output, long chunkBytes = DefaultChunkBytes)
    {
        foreach (var (slice, _) in Slices(tensor, chunkBytes))
        {
            using (slice)
                output.Write(slice.bytes);
        }
    }

    /// <summary>Reads exactly <c>buffer.Length</c> bytes at <paramref name="offset"/>; a short file is a format error.</summary>
    public static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(file, buffer, offset);
            if (read == 0)
                throw new SafeTensorsFormatException(path, $"the file ends at byte {offset} but {buffer.Length} more bytes were expected there.");
            buffer = buffer[read..];
            offset += read;
        }
    }

    // Each slice is a view sharing the tensor's memory; the caller disposes it.
    private static IEnumerable<(torch.Tensor Slice, long ByteOffset)> Slices(torch.Tensor tensor, long chunkBytes)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Safetensors data is little-endian and is copied as it is; big-endian hosts are not supported.");
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("Raw byte access needs a contiguous CPU tensor.", nameof(tensor));
        var count = tensor.NumberOfElements;
        if (count == 0) yield break;
        var elementSize = tensor.ElementSize;
        var elementsPerChunk = Math.Max(1, chunkBytes / elementSize);
        using var flat = tensor.reshape(-1);
        for (long start = 0; start < count; start += elementsPerChunk)
            yield return (flat.narrow(0, start, Math.Min(elementsPerChunk, count - start)), start * elementSize);
    }
}
