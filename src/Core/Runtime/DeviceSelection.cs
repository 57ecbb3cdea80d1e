using System.Globalization;

namespace XRight.Runtime;

/// <summary>Turns a device option into a concrete device.</summary>
public static class DeviceSelection
{
    /// <summary>
    /// Resolves <paramref name="spec"/> given the number of usable CUDA devices.
    /// Returns the device type and index (-1 for the CPU).
    /// </summary>
    /// <exception cref="ArgumentException">The option is malformed, or names a GPU that is not there and fallback is off.</exception>
    public static (TorchSharp.DeviceType Type, int Index) Resolve(string spec, bool allowCpuFallback, int cudaDeviceCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var s = spec.Trim().ToLowerInvariant();
        if (s == "cpu") return (TorchSharp.DeviceType.CPU, -1);
        if (s == "auto") return cudaDeviceCount > 0 ? (TorchSharp.DeviceType.CUDA, 0) : (TorchSharp.DeviceType.CPU, -1);

        int index;
        if (s == "cuda") index = 0;
        else if (s.StartsWith("cuda:", StringComparison.Ordinal)
                 && int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index)) { }
        else throw new ArgumentException($"Device option '{spec}' is not one of: cpu, cuda, cuda:N, auto.", nameof(spec));

        if (index < cudaDeviceCount) return (TorchSharp.DeviceType.CUDA, index);
        if (allowCpuFallback) return (TorchSharp.DeviceType.CPU, -1);
        var found = cudaDeviceCount == 0 ? "no usable CUDA device (is a CUDA build of libtorch referenced?)" : $"{cudaDeviceCount} CUDA device(s)";
        throw new ArgumentException($"Device option '{spec}' asks for CUDA device {index}, but this process has {found}. " +
                                    "Use 'cpu' or 'auto', or set AllowCpuFallback.", nameof(spec));
    }
}
