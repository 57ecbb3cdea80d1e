using System.Buffers.Binary;
using XRight.Selection;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class SelectionPlotsTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks the PNG signature and reads the size from the IHDR chunk, which must come first.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.IsGreaterThan(33, bytes.Length, "a PNG holds at least the signature and IHDR");
        CollectionAssert.AreEqual(PngSignature, bytes[..8], "PNG signature");
        Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    private static SelectionReport Report(bool withSequential) => ParetoSelection.Analyze(
    [
        .. withSequential ? new[] { Sweep.Sequential("Seq(3,3)", 3, 3, 0.60, 1.70, utilization: 50).WithTrajectory(0.69, 2.4, 6) } : [],
        Sweep.Joint("ALRIGHT λ=0.5", 0.5, 0.40, 1.75, runtime: 104, utilization: 55).WithTrajectory(0.69, 2.4, 6),
        Sweep.Joint("MAXRIGHT λ=0.5", 0.5, 0.30, 1.72, strategy: "MAXRIGHT", runtime: 110).WithTrajectory(0.69, 2.4, 6),
        Sweep.Joint("Mix λ=0.5", 0.5, 0.45, 1.80, strategy: "Mix", runtime: 160),
    ],
    new ParetoSelectionOptions { Rule = SelectionRule.MinIdealDistance, DpoOptimum = 0.0522, SftOptimum = 1.498 });

    [TestMethod]
    public void ObjectiveSpaceIsAPngOfTheRequestedSize()
    {
        using var temp = new TempDirectory();
        SelectionPlots.SaveObjectiveSpace(Report(withSequential: true), temp.File("objective-space.png"), 900, 600);
        Assert.AreEqual((900, 600), PngSize(temp.File("objective-space.png")));
    }

    [TestMethod]
    public void MetricBarsAreAPngOfTheRequestedSize()
    {
        using var temp = new TempDirectory();
        SelectionPlots.SaveMetricBars(Report(withSequential: true), temp.File("bars.png"), 800, 1000);
        Assert.AreEqual((800, 1000), PngSize(temp.File("bars.png")));
    }

    [TestMethod]
    public void PlotsWithoutSequentialRunsOrTrajectoriesStillRender()
    {
        // No resource panels (nothing to compare with) and a candidate with no trajectory (only its final point).
        using var temp = new TempDirectory();
        var report = Report(withSequential: false);
        SelectionPlots.SaveObjectiveSpace(report, temp.File("a.png"), 400, 300);
        SelectionPlots.SaveMetricBars(report, temp.File("b.png"), 400, 500);
        Assert.AreEqual((400, 300), PngSize(temp.File("a.png")));
        Assert.AreEqual((400, 500), PngSize(temp.File("b.png")));
        CollectionAssert.AreEquivalent(new[] { "a.png", "b.png" }, Directory.GetFiles(temp.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void UnreasonableSizesAreRejected()
    {
        using var temp = new TempDirectory();
        var report = Report(withSequential: false);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SelectionPlots.SaveObjectiveSpace(report, temp.File("x.png"), 0, 600));
        Assert.AreEqual("width", e.ParamName);
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SelectionPlots.SaveMetricBars(report, temp.File("x.png"), 800, 20_000));
        Assert.AreEqual("height", e.ParamName);
        Assert.IsEmpty(Directory.GetFiles(temp.Path));
    }
}
