using TorchSharp;
using XRight.Runtime;
using static TorchSharp.torch;
using XRight.IO;

namespace XRight.Modeling.SafeTensors;

/// <summary>
/// Reads and writes single safetensors files, the Hugging Face weight format: an 8-byte little-endian
/// header length, a JSON header describing each tensor, then the raw tensor bytes.
/// </summary>
/// <remarks>
/// Supported element types: F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL. Files are validated
/// before any tensor memory is allocated and tensors are read one at a time straight into their own
/// memory, so files of many gigabytes and tensors above 2 GB load without a whole-file buffer.
/// Big-endian hosts are not supported: the file's little-endian bytes are copied as they are.
/// </remarks>
public static class SafeTensorsFile
{
    /// <summary>Reads and validates the header of <paramref name="path"/> without reading tensor data.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file; the message says why.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.OpenHandle(path);
        return SafeTensorsHeaderReader.Read(file, path);
    }

    /// <summary>Loads every tensor of <paramref name="path"/>.</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="castTo">A floating element type to convert floating tensors to; integer and boolean tensors keep their type. Null keeps every type.</param>
    /// <param name="device">The device to put the tensors on; null means the CPU.</param>
    /// <returns>
    /// The tensors by name. The caller owns them and must dispose them: they are detached from any open
    /// <see cref="DisposeScope"/>, so loading inside a scope does not free them when the scope ends.
    /// </returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file; the message says why.</exception>
    public static Dictionary<string, Tensor> Load(string path, ScalarType? castTo = null, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Load(path, header => header.Entries, castTo, device);
    }

    /// <summary>Loads the tensors named in <paramref name="names"/> from <paramref name="path"/>, reading no other tensor's data.</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="names">The tensors to load; repeated names are loaded once.</param>
    /// <param name="castTo">A floating element type to convert floating tensors to; integer and boolean tensors keep their type. Null keeps every type.</param>
    /// <param name="device">The device to put the tensors on; null means the CPU.</param>
    /// <returns>The tensors by name, owned by the caller and detached from any open <see cref="DisposeScope"/>.</returns>
    /// <exception cref="KeyNotFoundException">The file has no tensor of one of the names.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file; the message says why.</exception>
    public static Dictionary<string, Tensor> Load(string path, IEnumerable<string> names, ScalarType? castTo = null, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(names);
        var wanted = new HashSet<string>(names, StringComparer.Ordinal);
        return Load(path, header =>
        {
            var selected = header.Entries.Where(entry => wanted.Contains(entry.Name)).ToList();
            if (selected.Count != wanted.Count)
            {
                var missing = wanted.Except(selected.Select(entry => entry.Name), StringComparer.Ordinal).First();
                throw new KeyNotFoundException($"The safetensors file '{path}' has no tensor named '{missing}' (it holds {header.Entries.Count} tensors).");
            }
            return selected;
        }, castTo, device);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> the way Hugging Face does: header
    /// padded with spaces to a multiple of 8 bytes, data packed without gaps (largest element size first,
    /// then by name, which keeps every tensor aligned). The file is written under a temporary name and
    /// renamed, so a crash never leaves a half-written file.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">The tensors by name, on any device and of any layout; they are not modified or disposed.</param>
    /// <param name="metadata">String metadata for the header; <c>"format": "pt"</c> is added unless it sets "format".</param>
    /// <exception cref="ArgumentException">A tensor is disposed, has an unsupported element type, or is named <c>__metadata__</c>.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        TorchRuntime.EnsureLoaded();
        var writer = SafeTensorsWriter.Prepare(tensors, metadata);
        AtomicFile.Write(path, writer.WriteTo);
    }

    private static Dictionary<string, Tensor> Load(string path, Func<SafeTensorsHeader, IReadOnlyList<SafeTensorsEntry>> select, ScalarType? castTo, Device? device)
    {
        if (castTo is { } target && !(SafeTensorsDType.TryFromScalarType(target, out var dtype) && dtype.IsFloating))
            throw new ArgumentException($"castTo must be a floating element type (Float64, Float32, Float16 or BFloat16); found {target}.", nameof(castTo));
        TorchRuntime.EnsureLoaded();
        using var file = File.OpenHandle(path, options: FileOptions.SequentialScan);
        var header = SafeTensorsHeaderReader.Read(file, path);
        var entries = select(header);

        // On failure the scope frees what was loaded so far; on success the tensors leave it.
        using var scope = NewDisposeScope();
        var result = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var dtypeInFile = SafeTensorsDType.FromName(entry.DType);
            var tensor = empty(entry.Shape, dtype: dtypeInFile.ScalarType);
            TensorBytes.Read(file, header.DataStart + entry.Begin, tensor, path);
            var wantedType = dtypeInFile.IsFloating && castTo is { } cast ? cast : tensor.dtype;
            var wantedDevice = device ?? CPU;
            if (wantedType != tensor.dtype || wantedDevice.type != DeviceType.CPU)
                tensor = tensor.to(wantedType, wantedDevice, disposeAfter: true);
            result[entry.Name] = tensor;
        }
        foreach (var tensor in result.Values) tensor.DetachFromDisposeScope();
        return result;
    }
}
