using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XRight.GpuCheck;

/// <summary>The one JSON file the program writes (rewritten after every section, so a cut-short run leaves what it did).</summary>
internal sealed class CheckReport
{
    public string Schema { get; init; } = "xright-gpu-check/1";
    public required DateTimeOffset StartedUtc { get; init; }
    public DateTimeOffset? FinishedUtc { get; set; }
    public double Seconds { get; set; }
    public required string[] Arguments { get; init; }
    public required CheckSettings Settings { get; init; }
    public EnvironmentReport? Environment { get; set; }
    public EqualityReport? Equality { get; set; }
    public HfExportReport? HuggingFace { get; set; }

    /// <summary>The interoperability suite written for tools/interop/check.py (section interop).</summary>
    public XRight.Interop.InteropManifest? Interop { get; set; }
    public TrainingReport? Training { get; set; }
    public List<SectionError> Errors { get; } = [];

    /// <summary>True when every section asked for ran without error and every comparison passed.</summary>
    public bool Passed { get; set; }

    public void Write(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, ReportJson.Options));
        File.Move(temporary, full, overwrite: true);
    }
}

internal sealed record SectionError(string Section, string Type, string Message, string? Detail);

internal sealed record EqualityReport
{
    public required string Reference { get; init; }
    public required string Device { get; init; }
    public bool Passed { get; init; }
    public int Compared { get; init; }
    public int Failed { get; init; }
    public required IReadOnlyList<ComparisonResult> Results { get; init; }
}

/// <summary>What ran where: the resolved device, and which native files the process actually loaded.</summary>
internal sealed record EnvironmentReport
{
    public required string RequestedDevice { get; init; }
    public required string ResolvedDevice { get; init; }
    public bool CudaAvailable { get; init; }
    public int CudaDeviceCount { get; init; }
    public string? DeviceName { get; init; }
    public long? DeviceMemoryBytes { get; init; }
    public required string TorchSharp { get; init; }
    public required string TorchSharpCompiledForLibTorch { get; init; }
    public required string DotNet { get; init; }
    public required string Os { get; init; }
    public int LogicalProcessors { get; init; }
    public int TorchThreads { get; init; }
    public required string AppFolder { get; init; }
    public required IReadOnlyList<string> LoadedNativeLibraries { get; init; }

    public static EnvironmentReport Collect(string requested, TorchSharp.torch.Device resolved, bool cudaAvailable, int cudaCount, DeviceMemory memory) => new()
    {
        RequestedDevice = requested,
        ResolvedDevice = resolved.ToString(),
        CudaAvailable = cudaAvailable,
        CudaDeviceCount = cudaCount,
        DeviceName = memory.DeviceName,
        DeviceMemoryBytes = memory.TotalBytes,
        TorchSharp = typeof(global::TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?",
        TorchSharpCompiledForLibTorch = global::TorchSharp.torch.__version__,
        DotNet = RuntimeInformation.FrameworkDescription,
        Os = RuntimeInformation.OSDescription,
        LogicalProcessors = System.Environment.ProcessorCount,
        TorchThreads = global::TorchSharp.torch.get_num_threads(),
        AppFolder = AppContext.BaseDirectory,
        LoadedNativeLibraries = LoadedLibraries(),
    };

    // The torch, CUDA and shim libraries mapped into this process, with their paths: they show which libtorch
    // (a NuGet package's or an installed PyTorch's) and which shim actually run.
    private static IReadOnlyList<string> LoadedLibraries()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return ["(no /proc/self/maps on this system)"];
        string[] interesting = ["libtorch", "libc10", "LibTorchSharp", "libcudart", "libcublas", "libcudnn", "libnvidia-ml", "XRightCudaStats", "libstdc++", "libgomp"];
        return File.ReadLines(maps)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 6 && parts[5].StartsWith('/'))
            .Select(parts => parts[5])
            .Where(path => interesting.Any(name => Path.GetFileName(path).Contains(name, StringComparison.Ordinal)))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}

/// <summary>The JSON settings of every file this program writes.</summary>
internal static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep ≤, α and · readable; the file is never embedded in HTML
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
