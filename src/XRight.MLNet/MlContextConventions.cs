using System.Globalization;
using Microsoft.ML.Runtime;
using XRight.Interop;
using XRight.Runtime;

namespace XRight.MLNet;

/// <summary>
/// The ML.NET conventions a post-training stage follows, applied to its options when the stage is
/// created (as ML.NET's own components take them from the host they register then):
/// <list type="bullet">
/// <item>the seed of <c>new MLContext(seed)</c> is the run's seed when <c>Runtime.Seed</c> is left null
/// (a context made without a seed leaves it null, so <see cref="RuntimeOptions.DefaultSeed"/> applies and
/// the run is still reproducible);</item>
/// <item><c>MLContext.GpuDeviceId = N</c> asks for <c>cuda:N</c> when <c>Runtime.Device</c> is left at
/// <c>auto</c>, and <c>MLContext.FallbackToCpu</c> then allows the CPU when that GPU is not usable;
/// an explicit <c>Runtime.Device</c> wins.</item>
/// </list>
/// </summary>
internal static class MlContextConventions
{
    public static JointPostTrainOptions Apply(IHostEnvironment environment, JointPostTrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var context = MlNetBridge.SettingsOf(environment);
        var runtime = options.Runtime;
        if (runtime.Seed is null && context.Seed is { } seed) runtime = runtime with { Seed = seed };
        if (IsAuto(runtime.Device) && context.GpuDeviceId is { } gpu)
        {
            bool fallback = context.FallbackToCpu || runtime.AllowCpuFallback;
            RequireGpu(gpu, fallback);
            runtime = runtime with { Device = "cuda:" + gpu.ToString(CultureInfo.InvariantCulture), AllowCpuFallback = fallback };
        }
        return runtime == options.Runtime ? options : options with { Runtime = runtime };
    }

    private static bool IsAuto(string? device) => string.Equals(device?.Trim(), "auto", StringComparison.OrdinalIgnoreCase);

    // Checked here, where the message can name the context's settings rather than a device string.
    private static void RequireGpu(int gpu, bool fallback)
    {
        if (gpu < 0) throw new ArgumentOutOfRangeException("GpuDeviceId", gpu, $"MLContext.GpuDeviceId must be a GPU index (0 or more) or null, found {gpu}.");
        int count = TorchContext.CudaDeviceCount();
        if (gpu < count || fallback) return;
        var found = count == 0 ? "no usable CUDA device (is a CUDA build of libtorch referenced?)" : $"only {count} CUDA device(s)";
        throw new InvalidOperationException(
            $"MLContext.GpuDeviceId is {gpu}, but this process has {found}, and MLContext.FallbackToCpu is false. " +
            "Set FallbackToCpu = true to train on the CPU instead, set GpuDeviceId = null, or choose a device with JointPostTrainOptions.Runtime.Device.");
    }
}
