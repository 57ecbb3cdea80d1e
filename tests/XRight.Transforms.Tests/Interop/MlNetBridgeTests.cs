using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using XRight.Interop;

namespace XRight.Tests.Interop;

[TestClass]
public sealed class MlNetBridgeTests
{
    [TestMethod]
    public void EveryReflectedMemberResolves()
        => Assert.AreEqual(30, MlNetBridge.VerifyAllMembersResolve());

    [TestMethod]
    public void EnvironmentComesOutOfTheTextCatalog()
    {
        var ml = new MLContext(seed: 1);
        Assert.AreSame(ml.ComponentCatalog, MlNetBridge.EnvironmentOf(ml.Transforms.Text).ComponentCatalog);
        Assert.ThrowsExactly<ArgumentException>(() => MlNetBridge.EnvironmentOf(new object()));
    }

    [TestMethod]
    public void ContextSettingsAreRead()
    {
        var seeded = new MLContext(seed: 7) { GpuDeviceId = 2, FallbackToCpu = true };
        Assert.AreEqual(new EnvironmentSettings(7, 2, true), MlNetBridge.SettingsOf(seeded));
        Assert.AreEqual(new EnvironmentSettings(null, null, false), MlNetBridge.SettingsOf(new MLContext()));
        // The catalogs' environment and the hosts registered on it carry the same settings.
        Assert.AreEqual(7, MlNetBridge.SettingsOf(MlNetBridge.EnvironmentOf(seeded.Transforms.Text)).Seed);
        Assert.AreEqual(new EnvironmentSettings(7, 2, true), MlNetBridge.SettingsOf(((IHostEnvironment)seeded).Register("probe")));
    }

    [TestMethod]
    public void CancellationReachesHostsRegisteredBeforeIt()
    {
        var ml = new MLContext();
        var before = ((IHostEnvironment)ml).Register("before");
        var other = ((IHostEnvironment)new MLContext()).Register("other");
        Assert.IsFalse(MlNetBridge.IsCanceled(before));
        MlNetBridge.CancelExecution(ml);
        Assert.IsTrue(MlNetBridge.IsCanceled(before));
        Assert.IsFalse(MlNetBridge.IsCanceled(other));
        Assert.IsFalse(MlNetBridge.IsCanceled(ml), "MLContext itself is not cancelable; its hosts are");
    }

    [TestMethod]
    public void ShapesAreBuiltFromSchemas()
    {
        var ml = new MLContext();
        var view = ml.Data.LoadFromEnumerable(new[] { new { Text = "a", Score = 1f } });
        var shape = MlNetBridge.ShapeOf(view.Schema);
        var text = shape.Single(c => c.Name == "Text");
        Assert.AreEqual(TextDataViewType.Instance, text.ItemType);
        var column = MlNetBridge.ShapeColumn("Ids", SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Int32);
        Assert.AreEqual("Ids", column.Name);
        Assert.AreEqual(SchemaShape.Column.VectorKind.VariableVector, column.Kind);
    }

    [TestMethod]
    public void VersionInfoRejectsBadSignatures()
    {
        Assert.ThrowsExactly<ArgumentException>(() => MlNetBridge.CreateVersionInfo("SHORT", 1, "Loader", typeof(MlNetBridgeTests)));
        Assert.ThrowsExactly<ArgumentException>(() => MlNetBridge.CreateVersionInfo("EIGHTCHR", 1, new string('x', 25), typeof(MlNetBridgeTests)));
        Assert.IsNotNull(MlNetBridge.CreateVersionInfo("EIGHTCHR", 0x00010001, "Loader", typeof(MlNetBridgeTests)));
    }
}
