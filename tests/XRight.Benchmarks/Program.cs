using XRight;
using System.Diagnostics;
using System.Text.Json;
using XRight.Benchmarks;
using XRight.Runtime;

// A child run measures one case and writes its result file; everything else is the parent.
if (args.Length == 4 && args[0] == ChildProcess.CaseFlag && args[2] == ChildProcess.ResultFlag)
    return ChildProcess.RunCase(args[1], args[3]);

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchmarkSettings.Usage);
    return 0;
}

BenchmarkSettings settings;
try
{
    settings = BenchmarkSettings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchmarkSettings.Usage);
    return 2;
}

TorchContext.Create(new RuntimeOptions { Device = "cpu", Threads = settings.Threads, Seed = 1 });
var report = new BenchmarkReport { Machine = MachineFacts.Collect(), Settings = settings };
Console.Error.WriteLine($"XRight benchmarks on {report.Machine.Cpu}: {report.Machine.LogicalProcessors} logical processors, {report.Machine.TorchThreads} libtorch threads.");
var clock = Stopwatch.StartNew();
new BenchmarkSections(settings, report, Console.Error).Run();
report.TotalSeconds = clock.Elapsed.TotalSeconds;

MarkdownReport.Write(report, Console.Out);
string json = JsonSerializer.Serialize(report, Json.Options);
Console.WriteLine();
Console.WriteLine("```json");
Console.WriteLine(json);
Console.WriteLine("```");
if (settings.JsonPath is { } path)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    string temporary = path + ".tmp";
    File.WriteAllText(temporary, json);
    File.Move(temporary, path, overwrite: true);
}
return 0;
