using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Xml.Linq;

namespace XRight.Tests.MLNet;

/// <summary>
/// A brand-new console app outside the repository, as a user would write it: its own project file with
/// explicit package versions, a project reference to XRight.MLNet, TorchSharp-cpu as the backend and a
/// Program.cs that trains one step. Everything it builds (the XRight libraries included) goes to an
/// artifacts folder inside its temp folder, so the repository's bin/ and obj/ stay untouched; the
/// folder is deleted on dispose.
/// </summary>
internal sealed class FreshApp : IDisposable
{
    /// <summary>What Program.cs prints after the step; followed by the loss and the runtime's description.</summary>
    public const string TrainedLine = "XRight fresh app: 1 step(s)";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private readonly TempDirectory _root = new();

    private FreshApp(string repository) => Repository = repository;

    /// <summary>The repository root (the folder holding XRight.sln).</summary>
    public string Repository { get; }

    private string ProjectFolder => Path.Combine(_root.Path, "app");

    private string Artifacts => Path.Combine(_root.Path, "artifacts");

    /// <summary>Writes the app. Marks the test inconclusive when the tests do not run from a repository checkout.</summary>
    /// <param name="targetFramework">The app's target framework, for example net8.0.</param>
    /// <param name="importNativeFixTargets">Import XRight.Core's build targets (the build-time half of the native fix).</param>
    public static FreshApp Create(string targetFramework, bool importNativeFixTargets)
    {
        var app = new FreshApp(FindRepository());
        // Empty Directory.Build.props/targets and Directory.Packages.props stop MSBuild's upward search:
        // nothing from the folders above the temp folder reaches the app.
        foreach (var guard in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(app._root.Path, guard), "<Project />\n");
        Directory.CreateDirectory(app.ProjectFolder);
        File.WriteAllText(Path.Combine(app.ProjectFolder, "FreshApp.csproj"), app.ProjectFile(targetFramework, importNativeFixTargets));
        File.WriteAllText(Path.Combine(app.ProjectFolder, "Program.cs"), ProgramSource);
        return app;
    }

    /// <summary><c>dotnet build</c> (Debug, framework-dependent); returns the output folder.</summary>
    public string Build()
    {
        RunDotnet("build", "-c", "Debug");
        return Path.Combine(Artifacts, "bin", "FreshApp", "debug");
    }

    /// <summary><c>dotnet publish -r RID --self-contained</c> (Release); returns the publish folder.</summary>
    public string PublishSelfContained(string runtimeIdentifier)
    {
        RunDotnet("publish", "-c", "Release", "-r", runtimeIdentifier, "--self-contained");
        return Path.Combine(Artifacts, "publish", "FreshApp", "release_" + runtimeIdentifier);
    }

    /// <summary>Runs the built app (with <c>dotnet</c> unless it is self-contained); returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string outputFolder, bool selfContained)
    {
        var dll = Path.Combine(outputFolder, "FreshApp.dll");
        Assert.IsTrue(File.Exists(dll), $"the app was not built at {dll}");
        return selfContained
            ? Execute(Path.Combine(outputFolder, OperatingSystem.IsWindows() ? "FreshApp.exe" : "FreshApp"), [], outputFolder, RunTimeout)
            : Execute("dotnet", [dll], outputFolder, RunTimeout);
    }

    /// <summary>The portable runtime identifier of this machine (linux-x64, win-x64, osx-arm64, ...).</summary>
    public static string PortableRuntimeIdentifier()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
    }

    /// <summary>The NuGet package folder the app restored from.</summary>
    public string PackageFolder()
    {
        var assets = File.ReadAllText(Path.Combine(Artifacts, "obj", "FreshApp", "project.assets.json"));
        return System.Text.Json.Nodes.JsonNode.Parse(assets)!["packageFolders"]!.AsObject().First().Key;
    }

    public void Dispose() => _root.Dispose();

    private void RunDotnet(string verb, params string[] arguments)
    {
        // No reused build nodes: none outlives the test or holds its output pipes open.
        string[] all = [verb, "--artifacts-path", Artifacts, "-nologo", "-nodeReuse:false", .. arguments];
        var (exitCode, output) = Execute("dotnet", all, ProjectFolder, BuildTimeout);
        if (exitCode != 0 && MissingFromFeed(output) is { } missing)
            Assert.Inconclusive($"Skipped: the package feed lacks what 'dotnet {verb}' of the fresh app needs: {missing}");
        Assert.AreEqual(0, exitCode, $"dotnet {string.Join(' ', all)} failed:\n{output}");
    }

    // A restore error about a .NET targeting, runtime or host pack means the feed lacks it; report the line.
    private static string? MissingFromFeed(string output) =>
        output.Split('\n').Select(l => l.Trim())
            .FirstOrDefault(l => (l.Contains("NU1101") || l.Contains("NU1102") || l.Contains("NU1103") || l.Contains("NETSDK1112"))
                && l.Contains("Microsoft.NETCore.App.", StringComparison.OrdinalIgnoreCase));

    private static (int ExitCode, string Output) Execute(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The test host runs under MSBuild's environment; a build started from here must not inherit it.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToArray())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        var streamsClosed = new CountdownEvent(2); // not disposed: a lingering child may close a pipe after this returns
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) streamsClosed.Signal();
            else lock (output) output.AppendLine(e.Data);
        }
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A finite wait returns when the process exits, even if a child it started still holds the pipes.
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            lock (output) Assert.Fail($"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout}:\n{output}");
        }
        streamsClosed.Wait(TimeSpan.FromSeconds(10)); // the last lines, unless a lingering child keeps a pipe open
        lock (output) return (process.ExitCode, output.ToString());
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "XRight.sln"))) return dir.FullName;
        }
        Assert.Inconclusive("Skipped: the fresh-app tests build the repository's libraries and need the tests to run from a checkout (no XRight.sln above the test folder).");
        return null!;
    }

    /// <summary>The version of a package in the repository's Directory.Packages.props.</summary>
    public string PackageVersion(string package) =>
        XDocument.Load(Path.Combine(Repository, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(e => string.Equals((string?)e.Attribute("Include"), package, StringComparison.OrdinalIgnoreCase))
            .Attribute("Version")!.Value;

    private string ProjectFile(string targetFramework, bool importNativeFixTargets)
    {
        var library = Path.Combine(Repository, "src", "XRight.MLNet", "XRight.MLNet.csproj");
        var targets = Path.Combine(Repository, "src", "Core", "build", "XRight.Core.targets");
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>{targetFramework}</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <!-- libtorch is hundreds of MB: link the package files instead of copying them. -->
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
                <CreateHardLinksForPublishFilesIfPossible>true</CreateHardLinksForPublishFilesIfPossible>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{library}" />
                <PackageReference Include="TorchSharp-cpu" Version="{PackageVersion("TorchSharp-cpu")}" />
              </ItemGroup>
              {(importNativeFixTargets ? $"<Import Project=\"{targets}\" />" : "<!-- XRight.Core's build targets are not imported. -->")}
            </Project>

            """;
    }

    // One ALRIGHT step of a tiny GPT-NeoX on a few rows tokenized by the built-in byte-level tokenizer.
    private const string ProgramSource = """
        using System.Runtime.InteropServices;
        using XRight;
        using XRight.Modeling;
        using XRight.Text;
        using XRight.Training;

        var tokenizer = CausalLmTokenizer.CreateByteLevel();
        int eos = tokenizer.EosTokenId;
        int[] Prompt(string text) => [eos, .. tokenizer.Encode(text)];
        int[] Answer(string text) => [.. tokenizer.Encode(text), eos];
        var data = new JointTrainingData
        {
            Instructions = [.. Enumerable.Range(1, 4).Select(i => new TokenizedInstruction(Prompt($"Count to {i}."), Answer(string.Join(' ', Enumerable.Range(1, i)))))],
            Preferences = [.. Enumerable.Range(1, 4).Select(i => new TokenizedPreference(Prompt($"Say {i}."), Answer($"{i}"), Answer("no")))],
        };
        var config = CausalLmConfig.CreateGptNeoX(vocabSize: tokenizer.VocabSize, hiddenSize: 32, numLayers: 1, numHeads: 2,
            maxPositionEmbeddings: 64, bosTokenId: eos, eosTokenId: eos);
        var options = new JointTrainerOptions
        {
            Strategy = new() { MaxSteps = 1 },
            Batches = new() { SftBatchSize = 2, DpoBatchSize = 2 },
            Evaluation = new() { Fraction = 0.25 },
        };
        var result = new JointTrainer(options).Train(() => CausalLm.Create(config), data);
        using var model = result.Model;
        Console.WriteLine($"XRight fresh app: {result.Summary.Steps} step(s), f_SFT {result.Summary.Final.FSft:F3}, on {RuntimeInformation.FrameworkDescription}");
        return result.Summary.Steps == 1 && double.IsFinite(result.Summary.Final.FSft) ? 0 : 1;

        """;
}
