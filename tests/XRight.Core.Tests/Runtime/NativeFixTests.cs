using TorchSharp;
using XRight.Runtime;
using XRight.Runtime.NativeFix;

namespace XRight.Tests.Runtime;

[TestClass]
public sealed class NativeFixTests
{
    [TestMethod]
    public void TorchSharpLoadsAndComputesGradients()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new float[] { 3f }, requires_grad: true);
        (w * w).sum().backward();
        Assert.AreEqual(6f, w.grad!.item<float>(), 1e-6f);
    }

    [TestMethod]
    public void OutputCopyOfTheShimNoLongerHasAStrictRequirementWhereTheSystemLacksIt()
    {
        var shim = NativeFixInitializer.ShimPath;
        if (shim is null) Assert.Inconclusive("Skipped: no TorchSharp shim next to the test assembly on this platform.");
        if (TorchSharpShimFix.IsNeeded())
            Assert.IsFalse(ElfVersionPatcher.HasStrictRequirement(shim, TorchSharpShimFix.Version));
    }

    [TestMethod]
    public void PatchSetsExactlyTheWeakFlagOfTheOneRequirement()
    {
        var original = OriginalShim();
        using var temp = new TempDirectory();
        var copy = temp.File(TorchSharpShimFix.ShimFileName);
        File.Copy(original, copy);
        var before = File.ReadAllBytes(copy);
        Assert.IsTrue(ElfVersionPatcher.HasStrictRequirement(copy, TorchSharpShimFix.Version));

        Assert.AreEqual(ElfPatchOutcome.Patched, TorchSharpShimFix.Apply(copy));

        var after = File.ReadAllBytes(copy);
        Assert.AreEqual(before.Length, after.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.AreEqual(1, changed.Length, "exactly one byte changes");
        Assert.AreEqual(0x2, after[changed[0]] ^ before[changed[0]], "the changed bit is VER_FLG_WEAK");
        Assert.IsFalse(ElfVersionPatcher.HasStrictRequirement(copy, TorchSharpShimFix.Version));
        Assert.AreEqual(ElfPatchOutcome.AlreadyWeak, TorchSharpShimFix.Apply(copy));
        Assert.AreEqual(ElfPatchOutcome.NotRequired, ElfVersionPatcher.MakeRequirementWeak(copy, "GLIBCXX_9.9.9", new HashSet<string>()));
    }

    [TestMethod]
    public void PatchingAHardLinkedCopyLeavesTheOtherLinkUnchanged()
    {
        // Output folders hard-link package files (Directory.Build.props), so the fix must replace the file it
        // patches rather than write into it: otherwise it would change the NuGet cache's copy too.
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("Skipped: hard links are created through Linux libc here.");
        var original = OriginalShim();
        using var temp = new TempDirectory();
        var cacheStandIn = temp.File("cache-" + TorchSharpShimFix.ShimFileName);
        File.Copy(original, cacheStandIn);
        var output = temp.File(TorchSharpShimFix.ShimFileName);
        Assert.AreEqual(0, HardLink(cacheStandIn, output), "link(2) failed");

        Assert.AreEqual(ElfPatchOutcome.Patched, TorchSharpShimFix.Apply(output));

        CollectionAssert.AreEqual(File.ReadAllBytes(original), File.ReadAllBytes(cacheStandIn), "the linked file keeps its bytes");
        Assert.IsTrue(ElfVersionPatcher.HasStrictRequirement(cacheStandIn, TorchSharpShimFix.Version));
        Assert.IsFalse(ElfVersionPatcher.HasStrictRequirement(output, TorchSharpShimFix.Version));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int HardLink(string existing, string created);

    [TestMethod]
    public void RefusesWhenAnotherSymbolNeedsTheVersion()
    {
        var original = OriginalShim();
        using var temp = new TempDirectory();
        var copy = temp.File("shim.so");
        File.Copy(original, copy);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionPatcher.MakeRequirementWeak(copy, TorchSharpShimFix.Version, new HashSet<string>()));
        StringAssert.Contains(e.Message, TorchSharpShimFix.Symbol);
        CollectionAssert.AreEqual(File.ReadAllBytes(original), File.ReadAllBytes(copy), "the file is left unchanged");
    }

    [TestMethod]
    public void RejectsFilesThatAreNotElf64()
    {
        using var temp = new TempDirectory();
        var path = temp.File("not-elf.so");
        File.WriteAllBytes(path, new byte[128]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionPatcher.HasStrictRequirement(path, "X")).Message, "not an ELF file");
    }

    // The unmodified shim as NuGet delivered it (read only; the package cache is never written).
    private static string OriginalShim()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", TorchSharpShimFix.ShimFileName);
        if (!File.Exists(path)) Assert.Inconclusive($"Skipped: the original TorchSharp shim is not in the NuGet package folder ({packages}).");
        return path;
    }
}
