using XRight.Runtime.NativeFix;

namespace XRight.Tests.MLNet;

/// <summary>
/// A new app outside the repository references XRight.MLNet by path and TorchSharp-cpu as its backend,
/// builds, and trains one step: once on the .NET the tests run on (relying on the run-time half of the
/// native fix) and once on .NET 8, published self-contained (with the build-time half imported).
/// Each case builds the five libraries for one target framework: 1-1.5 minutes on two cores.
/// </summary>
[TestClass]
[TestCategory("FreshApp")]
public sealed class FreshAppTests
{
    [TestMethod]
    public void AnAppOnThisDotNetTrainsWithOnlyTheRunTimeHalfOfTheNativeFix()
    {
        using var app = FreshApp.Create($"net{Environment.Version.Major}.0", importNativeFixTargets: false);
        var output = app.Build();

        // Without XRight.Core's targets nothing patches the shim at build time: the library must do it when it loads.
        var shim = Path.Combine(output, "runtimes", FreshApp.PortableRuntimeIdentifier(), "native", TorchSharpShimFix.ShimFileName);
        bool fixNeeded = TorchSharpShimFix.IsNeeded();
        if (fixNeeded) Assert.IsTrue(ElfVersionPatcher.HasStrictRequirement(shim, TorchSharpShimFix.Version), "the build should have left the shim as packaged");

        AssertTrainsOneStep(FreshApp.Run(output, selfContained: false), $".NET {Environment.Version.Major}.");
        if (fixNeeded)
        {
            Assert.IsFalse(ElfVersionPatcher.HasStrictRequirement(shim, TorchSharpShimFix.Version), "the module initializer should have patched the app's shim");
            AssertPackageShimUntouched(app);
        }
    }

    [TestMethod]
    public void ADotNet8AppPublishedSelfContainedTrainsWithTheBuildTimeHalfOfTheNativeFix()
    {
        using var app = FreshApp.Create("net8.0", importNativeFixTargets: true);
        var output = app.PublishSelfContained(FreshApp.PortableRuntimeIdentifier());

        // A runtime-specific publish puts the shim beside the app; the imported targets patched it there.
        var shim = Path.Combine(output, TorchSharpShimFix.ShimFileName);
        bool fixNeeded = TorchSharpShimFix.IsNeeded();
        if (fixNeeded) Assert.IsFalse(ElfVersionPatcher.HasStrictRequirement(shim, TorchSharpShimFix.Version), "the publish step should have patched the shim");

        AssertTrainsOneStep(FreshApp.Run(output, selfContained: true), ".NET 8.");
        if (fixNeeded) AssertPackageShimUntouched(app);
    }

    private static void AssertTrainsOneStep((int ExitCode, string Output) run, string runtime)
    {
        Assert.AreEqual(0, run.ExitCode, $"the app failed:\n{run.Output}");
        var line = run.Output.Split('\n').FirstOrDefault(l => l.StartsWith(FreshApp.TrainedLine, StringComparison.Ordinal));
        Assert.IsNotNull(line, $"the app did not report its step:\n{run.Output}");
        StringAssert.Contains(line, $"on {runtime}", "the app ran on another runtime");
    }

    // The app's files are hard links into the package cache; the fix replaces the app's copy and leaves the cache alone.
    private static void AssertPackageShimUntouched(FreshApp app)
    {
        var packaged = Path.Combine(app.PackageFolder(), "torchsharp", app.PackageVersion("TorchSharp"),
            "runtimes", FreshApp.PortableRuntimeIdentifier(), "native", TorchSharpShimFix.ShimFileName);
        Assert.IsTrue(File.Exists(packaged), $"no TorchSharp shim at {packaged}");
        Assert.IsTrue(ElfVersionPatcher.HasStrictRequirement(packaged, TorchSharpShimFix.Version), $"the package cache's shim was modified: {packaged}");
    }
}
