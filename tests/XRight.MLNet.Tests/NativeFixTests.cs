using TorchSharp;
using XRight.Runtime;

namespace XRight.Tests;

[TestClass]
public sealed class NativeFixTests
{
    [TestMethod]
    public void TorchSharpLoadsAndTrains()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new float[] { 3f }, requires_grad: true);
        var loss = (w * w).sum();
        loss.backward();
        Assert.AreEqual(6f, w.grad!.item<float>(), 1e-6f);
    }
}
