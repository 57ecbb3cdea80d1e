using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace XRight.Benchmarks;

/// <summary>What the figures were measured on.</summary>
internal sealed record MachineFacts(
    string Cpu, int LogicalProcessors, int TorchThreads, string CpuFeatures, double MemoryGiB, string Os, string DotNet, string TorchSharp, string LibTorch, string Accelerator)
{
    public static MachineFacts Collect() => new(
        CpuInfo("model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        global::TorchSharp.torch.get_num_threads(),
        string.Join(" ", (CpuInfo("flags") ?? "").Split(' ').Where(f => f is "avx2" or "fma" or "avx512f" or "avx512_bf16" or "amx_bf16" or "amx_tile").Distinct()),
        MemInfoKilobytes("MemTotal:") / 1024.0 / 1024.0,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        typeof(global::TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?",
        LibTorchVersion(),
        "none (CPU only: no CUDA build of libtorch is referenced and no GPU is attached)");

    private static string? CpuInfo(string key)
    {
        if (!File.Exists("/proc/cpuinfo")) return null;
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }

    private static double MemInfoKilobytes(string key)
    {
        if (!File.Exists("/proc/meminfo")) return double.NaN;
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(Regex.Match(line, @"\d+").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    // The libtorch package the build resolved, as recorded in the application's dependency file.
    private static string LibTorchVersion()
    {
        var deps = Path.Combine(AppContext.BaseDirectory, Assembly.GetEntryAssembly()!.GetName().Name + ".deps.json");
        if (!File.Exists(deps)) return "?";
        var match = Regex.Match(File.ReadAllText(deps), "\"(libtorch-[a-z0-9-]+)/([0-9.]+)\"");
        return match.Success ? $"{match.Groups[1].Value} {match.Groups[2].Value}" : "?";
    }
}
