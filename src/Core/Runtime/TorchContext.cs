using TorchSharp;

namespace XRight.Runtime;

/// <summary>The resolved runtime: loaded natives, the device, the thread count and the seeded generators.</summary>
public sealed class TorchContext
{
    private TorchContext(torch.Device device, int seed)
    {
        Device = device;
        Seed = seed;
    }

    /// <summary>The device tensors live on.</summary>
    public torch.Device Device { get; }

    /// <summary>The user seed every derived generator comes from.</summary>
    public int Seed { get; }

    /// <summary>True when <see cref="Device"/> is a GPU.</summary>
    public bool IsCuda => Device.type == DeviceType.CUDA;

    /// <summary>
    /// Loads TorchSharp, resolves the device, sets the thread count and seeds torch's global
    /// generators from <see cref="RuntimeOptions.Seed"/>.
    /// </summary>
    public static TorchContext Create(RuntimeOptions? options = null)
    {
        options ??= new RuntimeOptions();
        if (options.Threads < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "RuntimeOptions.Threads must be 0 (libtorch default) or positive.");
        TorchRuntime.EnsureLoaded();
        int cudaCount = CudaDeviceCount();
        var device = ToDevice(DeviceSelection.Resolve(options.Device, options.AllowCpuFallback, cudaCount));
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        torch.manual_seed(options.EffectiveSeed);
        if (cudaCount > 0) torch.cuda.manual_seed_all(options.EffectiveSeed);
        return new TorchContext(device, options.EffectiveSeed);
    }

    /// <summary>
    /// Loads TorchSharp and resolves a device option (see <see cref="RuntimeOptions.Device"/>) and nothing
    /// else: unlike <see cref="Create"/> it leaves torch's generators and thread count as the caller set
    /// them, so loading a model for inference never disturbs the caller's random numbers.
    /// </summary>
    /// <exception cref="ArgumentException">The option is malformed, or names a GPU that is not there and fallback is off.</exception>
    public static torch.Device ResolveDevice(string device, bool allowCpuFallback)
    {
        ArgumentNullException.ThrowIfNull(device);
        return ToDevice(DeviceSelection.Resolve(device, allowCpuFallback, CudaDeviceCount()));
    }

    private static torch.Device ToDevice((DeviceType Type, int Index) resolved)
        => resolved.Type == DeviceType.CPU ? torch.CPU : new torch.Device(resolved.Type, resolved.Index);

    /// <summary>A generator for one consumer of randomness, reproducible from the seed and the name.</summary>
    public Random CreateRandom(string purpose) => new(SeedDerivation.Derive(Seed, purpose));

    /// <summary>How many CUDA devices this process can use (0 with a CPU-only build of TorchSharp). Loads TorchSharp.</summary>
    public static int CudaDeviceCount()
    {
        TorchRuntime.EnsureLoaded();
        try
        {
            return torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or NotSupportedException)
        {
            return 0; // a CPU-only build of TorchSharp has no CUDA entry points
        }
    }
}
