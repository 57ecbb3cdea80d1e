using System.Runtime.InteropServices;
using System.Text;

namespace XRight.GpuCheck;

/// <summary>
/// Device memory readings. TorchSharp 0.107 exposes none of libtorch's CUDA memory statistics, so two optional
/// native sources are used where present:
/// <list type="bullet">
/// <item>the CUDA caching allocator's own counters (what torch.cuda.max_memory_allocated and
/// max_memory_reserved read), through a small helper library, <c>libXRightCudaStats.so</c>, that tools/gpu/run
/// compiles against the installed PyTorch next to the shim (source: tools/gpu/native/xright_cuda_stats.cpp);</item>
/// <item>NVML (the driver's <c>libnvidia-ml.so.1</c>): the memory in use on the whole device, sampled after each
/// step, which also counts the CUDA context and anything else on the device.</item>
/// </list>
/// Neither exists on a CPU run; the report then says why there is no figure.
/// </summary>
internal sealed unsafe class DeviceMemory
{
    public const string HelperFile = "libXRightCudaStats.so";

    private readonly int _device;
    private delegate* unmanaged<int, long*, int> _stats;
    private delegate* unmanaged<int, int> _resetPeak;
    private delegate* unmanaged<int> _emptyCache;
    private IntPtr _nvmlDevice;
    private long _nvmlMaxUsed;

    private DeviceMemory(int device) => _device = device;

    /// <summary>Why the allocator's counters are or are not available.</summary>
    public string HelperStatus { get; private set; } = "";

    /// <summary>Why NVML is or is not available.</summary>
    public string NvmlStatus { get; private set; } = "";

    /// <summary>The device's name from NVML, when available.</summary>
    public string? DeviceName { get; private set; }

    /// <summary>Total device memory from NVML, when available.</summary>
    public long? TotalBytes { get; private set; }

    /// <summary>Opens what is available for CUDA device <paramref name="device"/>, or nothing for the CPU (<paramref name="device"/> &lt; 0).</summary>
    public static DeviceMemory Open(int device)
    {
        var memory = new DeviceMemory(device);
        if (device < 0)
        {
            memory.HelperStatus = memory.NvmlStatus = "not applicable: the checked device is the CPU";
            return memory;
        }
        memory.OpenHelper();
        memory.OpenNvml();
        return memory;
    }

    private void OpenHelper()
    {
        var path = Path.Combine(AppContext.BaseDirectory, HelperFile);
        if (!File.Exists(path))
        {
            HelperStatus = $"unavailable: {HelperFile} is not beside the program (tools/gpu/run builds it against the installed PyTorch)";
            return;
        }
        try
        {
            var handle = NativeLibrary.Load(path);
            var stats = (delegate* unmanaged<int, long*, int>)NativeLibrary.GetExport(handle, "xright_cuda_memory_stats");
            var probe = stackalloc long[4];
            int rc = stats(_device, probe);
            if (rc != 0)
            {
                HelperStatus = $"unavailable: {HelperFile} loaded but its statistics call failed (code {rc})";
                return;
            }
            _stats = stats;
            _resetPeak = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(handle, "xright_cuda_reset_peak");
            _emptyCache = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "xright_cuda_empty_cache");
            HelperStatus = "CUDA caching allocator counters (what torch.cuda.max_memory_allocated / max_memory_reserved read), through " + HelperFile;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            HelperStatus = $"unavailable: {HelperFile} did not load: {e.Message}";
        }
    }

    private void OpenNvml()
    {
        try
        {
            if (Nvml.nvmlInit_v2() != 0) { NvmlStatus = "unavailable: nvmlInit failed"; return; }
            if (Nvml.nvmlDeviceGetHandleByIndex_v2((uint)_device, out var handle) != 0) { NvmlStatus = $"unavailable: NVML has no device {_device}"; return; }
            _nvmlDevice = handle;
            var name = new byte[96];
            if (Nvml.nvmlDeviceGetName(handle, name, (uint)name.Length) == 0) DeviceName = Encoding.ASCII.GetString(name).TrimEnd('\0');
            if (Nvml.nvmlDeviceGetMemoryInfo(handle, out var info) == 0) TotalBytes = (long)info.Total;
            NvmlStatus = "NVML device memory in use (whole device: CUDA context and the caching allocator's reserve included), sampled after each step; " +
                         "the CUDA device index is taken to be NVML's";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            NvmlStatus = $"unavailable: {e.Message}";
        }
    }

    /// <summary>Returns cached blocks to the driver (torch.cuda.empty_cache), so the next case's reserved figure is its own.</summary>
    public void EmptyCache()
    {
        if (_emptyCache != null) _emptyCache();
    }

    /// <summary>Starts a new peak window (torch.cuda.reset_peak_memory_stats; NVML's sampled maximum too).</summary>
    public void ResetPeak()
    {
        if (_resetPeak != null) _resetPeak(_device);
        _nvmlMaxUsed = 0;
        Sample();
    }

    /// <summary>Samples NVML's in-use figure (call after a step).</summary>
    public void Sample()
    {
        if (_nvmlDevice == IntPtr.Zero) return;
        if (Nvml.nvmlDeviceGetMemoryInfo(_nvmlDevice, out var info) == 0) _nvmlMaxUsed = Math.Max(_nvmlMaxUsed, (long)info.Used);
    }

    /// <summary>The allocator's counters: allocated now, allocated peak, reserved now, reserved peak; null without the helper.</summary>
    public (long Allocated, long PeakAllocated, long Reserved, long PeakReserved)? AllocatorStats()
    {
        if (_stats == null) return null;
        var values = stackalloc long[4];
        return _stats(_device, values) == 0 ? (values[0], values[1], values[2], values[3]) : null;
    }

    public MemoryFigures Figures(long? allocatedBeforeSteps)
    {
        var stats = AllocatorStats();
        return new MemoryFigures
        {
            PeakAllocatedBytes = stats?.PeakAllocated,
            PeakReservedBytes = stats?.PeakReserved,
            AllocatedBeforeStepsBytes = allocatedBeforeSteps,
            NvmlMaxUsedBytes = _nvmlDevice == IntPtr.Zero ? null : _nvmlMaxUsed,
            Source = stats is null ? HelperStatus : "CUDA caching allocator counters; NVML: " + (_nvmlDevice == IntPtr.Zero ? NvmlStatus : "sampled after each step"),
        };
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    private static class Nvml
    {
        private const string Library = "libnvidia-ml.so.1";

        [DllImport(Library)] public static extern int nvmlInit_v2();
        [DllImport(Library)] public static extern int nvmlDeviceGetHandleByIndex_v2(uint index, out IntPtr device);
        [DllImport(Library)] public static extern int nvmlDeviceGetMemoryInfo(IntPtr device, out NvmlMemory memory);
        [DllImport(Library)] public static extern int nvmlDeviceGetName(IntPtr device, byte[] name, uint length);
    }
}

/// <summary>The memory figures of one timed case; null where the source is not available.</summary>
internal sealed record MemoryFigures
{
    /// <summary>Peak bytes held by tensors during the timed steps (torch.cuda.max_memory_allocated).</summary>
    public long? PeakAllocatedBytes { get; init; }

    /// <summary>Peak bytes the caching allocator held from the driver (torch.cuda.max_memory_reserved).</summary>
    public long? PeakReservedBytes { get; init; }

    /// <summary>Bytes held by tensors before the first step: weights (and the reference cache's nothing: it lives on the host).</summary>
    public long? AllocatedBeforeStepsBytes { get; init; }

    /// <summary>The largest device-wide in-use figure NVML reported after a step.</summary>
    public long? NvmlMaxUsedBytes { get; init; }

    public required string Source { get; init; }
}
