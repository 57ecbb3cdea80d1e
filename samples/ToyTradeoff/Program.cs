// Reproduces the paper's two toy problems with the library's strategy classes and writes what it finds:
//   dotnet run --project samples/ToyTradeoff [-- --out <folder>]
using System.Globalization;
using ToyTradeoff;

var output = ParseOutputFolder(args);
if (output is null) return 2;
Directory.CreateDirectory(output);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Console.WriteLine("2-D toy (the paper's Figure 2): λ = 0.5, lr 0.01, weight decay 0.001, start [5, -9.9].");
Console.WriteLine("Sequential: DPO then SFT, up to 10,000 steps each, a phase stops once its objective < 0.05. Others: 20,000 steps.");
foreach (var (sftTarget, label) in new[] { (0, "SFT target y (as tabled)"), (1, "SFT target y' (conflicting objectives)") })
{
    foreach (var beta in new[] { 1.0, 0.1 })
        Figure2Experiment.Run(beta, sftTarget, label, output);
}

LowerBoundExperiment.Run(output);
Console.WriteLine($"Trajectories (CSV) and plots (PNG) are in {Path.GetFullPath(output)}");
return 0;

static string? ParseOutputFolder(string[] args)
{
    string folder = "toy-output";
    for (int i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--out" when i + 1 < args.Length:
                folder = args[++i];
                break;
            case "--help" or "-h":
                Console.WriteLine("Usage: ToyTradeoff [--out <folder>]   (default: ./toy-output)");
                return null;
            default:
                Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. Usage: ToyTradeoff [--out <folder>]");
                return null;
        }
    }
    return folder;
}
