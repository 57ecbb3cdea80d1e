using XRight.Runtime;

namespace XRight.Tests;

[TestClass]
public static class AssemblySetup
{
    /// <summary>Tests use TorchSharp directly, so load it (with the native fix) before any test runs.</summary>
    [AssemblyInitialize]
    public static void LoadTorch(TestContext _) => TorchRuntime.EnsureLoaded();
}
