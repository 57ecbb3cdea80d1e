using XRight;
using System.Diagnostics;
using TorchSharp;
using XRight.GpuCheck;
using XRight.Runtime;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(CheckSettings.Usage);
    return 0;
}

CheckSettings settings;
try
{
    settings = CheckSettings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(CheckSettings.Usage);
    return 2;
}

var log = Console.Error;
var clock = Stopwatch.StartNew();
var report = new CheckReport { StartedUtc = DateTimeOffset.UtcNow, Arguments = args, Settings = settings };
report.Write(settings.OutPath);

torch.Device device;
DeviceMemory memory;
try
{
    var context = TorchContext.Create(new RuntimeOptions { Device = settings.Device, Seed = 1 });
    device = context.Device;
    bool cudaAvailable = false;
    int cudaCount = 0;
    try
    {
        cudaAvailable = torch.cuda.is_available();
        cudaCount = cudaAvailable ? torch.cuda.device_count() : 0;
    }
    catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or NotSupportedException)
    {
        // a CPU-only libtorch: no CUDA entry points
    }
    memory = DeviceMemory.Open(device.type == DeviceType.CUDA ? device.index : -1);
    report.Environment = EnvironmentReport.Collect(settings.Device, device, cudaAvailable, cudaCount, memory);
    log.WriteLine($"XRight GPU check on {device} ({memory.DeviceName ?? "no device name"}); report: {Path.GetFullPath(settings.OutPath)}");
}
catch (Exception e)
{
    report.Errors.Add(new SectionError("runtime", e.GetType().Name, e.Message, e.ToString()));
    Finish();
    log.WriteLine($"Could not start on '{settings.Device}': {e.Message}");
    return 1;
}

Section("equality", () =>
{
    var results = EqualityCheck.Run(device, log);
    int failed = results.Count(r => !r.Passed);
    report.Equality = new EqualityReport
    {
        Reference = "CPU, float32",
        Device = device.ToString(),
        Passed = failed == 0,
        Compared = results.Count,
        Failed = failed,
        Results = results,
    };
});
Section("hf", () => report.HuggingFace = HuggingFaceExport.Run(settings.HfFolder, SharedFolder.Find(settings.SharedDir), log));
Section("interop", () => report.Interop = XRight.Interop.InteropSuite.Export(settings.InteropFolder, log));
Section("training", () => report.Training = TrainingThroughput.Run(settings, device, memory, log));

Finish();
log.WriteLine(report.Passed ? "All sections ran and every check passed." : "Some checks failed or sections did not run; see the report.");
return report.Passed ? 0 : 1;

void Section(string name, Action body)
{
    if (!settings.Runs(name)) return;
    log.WriteLine($"[{name}]");
    try
    {
        body();
    }
    catch (Exception e)
    {
        report.Errors.Add(new SectionError(name, e.GetType().Name, e.Message, e.ToString()));
        log.WriteLine($"  {name} FAILED: {e.GetType().Name}: {e.Message}");
    }
    report.Seconds = clock.Elapsed.TotalSeconds;
    report.Write(settings.OutPath);
}

void Finish()
{
    report.FinishedUtc = DateTimeOffset.UtcNow;
    report.Seconds = clock.Elapsed.TotalSeconds;
    report.Passed = report.Errors.Count == 0
                    && (!settings.Runs("equality") || report.Equality is { Passed: true })
                    && (!settings.Runs("hf") || report.HuggingFace is not null)
                    && (!settings.Runs("interop") || report.Interop is not null)
                    && (!settings.Runs("training") || report.Training is { Errors.Count: 0 });
    report.Write(settings.OutPath);
}
