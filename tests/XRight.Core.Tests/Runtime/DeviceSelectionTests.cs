using TorchSharp;
using XRight.Runtime;

namespace XRight.Tests.Runtime;

[TestClass]
public sealed class DeviceSelectionTests
{
    [TestMethod]
    [DataRow("cpu", 0, DeviceType.CPU, -1)]
    [DataRow("CPU", 2, DeviceType.CPU, -1)]
    [DataRow("auto", 0, DeviceType.CPU, -1)]
    [DataRow("auto", 2, DeviceType.CUDA, 0)]
    [DataRow("cuda", 1, DeviceType.CUDA, 0)]
    [DataRow("cuda:1", 2, DeviceType.CUDA, 1)]
    public void ResolvesAvailableDevices(string spec, int gpus, DeviceType type, int index)
        => Assert.AreEqual((type, index), DeviceSelection.Resolve(spec, allowCpuFallback: false, gpus));

    [TestMethod]
    public void CudaWithoutAGpuIsAClearError()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => DeviceSelection.Resolve("cuda", false, 0));
        StringAssert.Contains(e.Message, "'cuda'");
        StringAssert.Contains(e.Message, "no usable CUDA device");
        e = Assert.ThrowsExactly<ArgumentException>(() => DeviceSelection.Resolve("cuda:3", false, 2));
        StringAssert.Contains(e.Message, "2 CUDA device(s)");
    }

    [TestMethod]
    public void FallbackToCpuWhenAllowed()
        => Assert.AreEqual((DeviceType.CPU, -1), DeviceSelection.Resolve("cuda:0", allowCpuFallback: true, 0));

    [TestMethod]
    [DataRow("gpu")]
    [DataRow("cuda:")]
    [DataRow("cuda:-1")]
    [DataRow("cuda:x")]
    public void MalformedOptionsAreRejected(string spec)
        => StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => DeviceSelection.Resolve(spec, true, 1)).Message, "cpu, cuda, cuda:N, auto");

    [TestMethod]
    public void ContextOnThisMachineIsCpuAndSeedsTorch()
    {
        var context = TorchContext.Create(new RuntimeOptions { Device = "auto", Seed = 11 });
        Assert.AreEqual(DeviceType.CPU, context.Device.type);
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(4).data<float>().ToArray();
        TorchContext.Create(new RuntimeOptions { Device = "cpu", Seed = 11 });
        var b = torch.randn(4).data<float>().ToArray();
        CollectionAssert.AreEqual(a, b);
    }

    [TestMethod]
    public void ResolvingADeviceLeavesTorchsGeneratorAlone()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(123);
        var first = torch.rand(6).data<float>().ToArray();
        torch.manual_seed(123);
        Assert.AreEqual(DeviceType.CPU, TorchContext.ResolveDevice("auto", allowCpuFallback: false).type);
        Assert.AreEqual(DeviceType.CPU, TorchContext.ResolveDevice("cuda:1", allowCpuFallback: true).type);
        CollectionAssert.AreEqual(first, torch.rand(6).data<float>().ToArray());
        Assert.AreEqual(0, TorchContext.CudaDeviceCount());
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => TorchContext.ResolveDevice("cuda", allowCpuFallback: false)).Message, "no usable CUDA device");
    }

    [TestMethod]
    public void DerivedSeedsAreStableAndIndependent()
    {
        Assert.AreEqual(SeedDerivation.Derive(42, "sft-loader"), SeedDerivation.Derive(42, "sft-loader"));
        Assert.AreNotEqual(SeedDerivation.Derive(42, "sft-loader"), SeedDerivation.Derive(42, "dpo-loader"));
        Assert.AreNotEqual(SeedDerivation.Derive(42, "sft-loader"), SeedDerivation.Derive(43, "sft-loader"));
    }
}
