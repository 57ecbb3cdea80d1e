using System.Xml.Linq;

namespace XRight.Tests.Layers;

/// <summary>
/// The layers of the design, read from the library projects themselves: each project references only the
/// layers below it and only its own packages, so an upward reference (or ML.NET in the core, or a libtorch
/// backend in a library) cannot come in unnoticed.
/// </summary>
[TestClass]
public sealed class ProjectGraphTests
{
    // Project → (project references, package references). Samples, tests and tools are users and not listed; the
    // command-line tool under src/ is listed as an app.
    private static readonly Dictionary<string, (string[] Projects, string[] Packages)> Expected = new()
    {
        ["XRight.Text"] = ([], ["Microsoft.ML.Tokenizers"]),
        ["XRight.Core"] = (["XRight.Text"], ["TorchSharp"]),
        ["XRight.Transforms"] = (["XRight.Text"], ["Microsoft.ML", "Microsoft.Data.Analysis", "Parquet.Net"]),
        ["XRight.Reports"] = (["XRight.Core"], ["ScottPlot", "System.Text.Json"]),
        ["XRight.MLNet"] = (["XRight.Transforms", "XRight.Core", "XRight.Reports"], ["Microsoft.ML"]),
        // The command-line tool is an app on top of the adapter: it chooses the libtorch backend.
        ["XRight.Cli"] = (["XRight.MLNet"], ["Spectre.Console.Cli", "TorchSharp-cpu"]),
    };

    // Apps under src/: they may choose a libtorch backend, libraries may not.
    private static readonly string[] Apps = ["XRight.Cli"];

    // Lower layers first; a project may reference only projects earlier in this list.
    private static readonly string[] Order = ["XRight.Text", "XRight.Core", "XRight.Transforms", "XRight.Reports", "XRight.MLNet", "XRight.Cli"];

    [TestMethod]
    public void EachLibraryReferencesOnlyTheLayersBelowItAndItsOwnPackages()
    {
        var projects = Directory.GetFiles(Path.Combine(RepositoryRoot(), "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p));
        CollectionAssert.AreEquivalent(Expected.Keys.ToArray(), projects.Keys.ToArray(), "the library projects under src/");

        foreach (var (name, path) in projects)
        {
            var xml = XDocument.Load(path);
            var referenced = xml.Descendants("ProjectReference").Select(e => Path.GetFileNameWithoutExtension((string)e.Attribute("Include")!)).ToArray();
            var packages = xml.Descendants("PackageReference").Select(e => (string)e.Attribute("Include")!).ToArray();
            CollectionAssert.AreEquivalent(Expected[name].Projects, referenced, $"{name}: project references");
            CollectionAssert.AreEquivalent(Expected[name].Packages, packages, $"{name}: package references");
            foreach (var target in referenced)
                Assert.IsLessThan(Array.IndexOf(Order, name), Array.IndexOf(Order, target), $"{name} references {target}, which is not below it");
        }
    }

    [TestMethod]
    public void NoLibraryChoosesALibtorchBackendAndTheCoreHasNoMlNet()
    {
        foreach (var (name, (_, packages)) in Expected.Where(e => !Apps.Contains(e.Key)))
            Assert.IsFalse(packages.Any(p => p.StartsWith("TorchSharp-", StringComparison.Ordinal) || p.StartsWith("libtorch", StringComparison.Ordinal)),
                $"{name} must leave the libtorch backend to the app");
        foreach (var name in new[] { "XRight.Text", "XRight.Core" })
            Assert.IsFalse(Closure(name).SelectMany(p => Expected[p].Packages).Any(p => p is "Microsoft.ML" or "ScottPlot"),
                $"{name} and what it references use neither ML.NET nor ScottPlot");
        Assert.IsFalse(Closure("XRight.Transforms").SelectMany(p => Expected[p].Packages).Contains("TorchSharp"), "the ML.NET data and text stages need no TorchSharp");
    }

    private static IEnumerable<string> Closure(string project) =>
        Expected[project].Projects.SelectMany(Closure).Prepend(project).Distinct();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "XRight.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No XRight.sln above {AppContext.BaseDirectory}.");
    }
}
