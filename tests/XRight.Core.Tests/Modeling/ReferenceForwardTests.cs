using XRight.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class ReferenceForwardTests
{
    [TestMethod]
    [DataRow("neox")]
    [DataRow("neox-sequential")]
    [DataRow("neox-tied")]
    [DataRow("llama")]
    [DataRow("llama-tied")]
    [DataRow("qwen2")]
    [DataRow("opt")]
    [DataRow("opt-post")]
    [DataRow("opt-proj")]
    [DataRow("opt-350m")]
    [DataRow("opt-bare")]
    public void ForwardMatchesTheDoublePrecisionReference(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant), seed: 3);
        int[] ids = [5, 17, 3, 60, 0, 42, 42, 9, 1];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var logits = model.Forward(TinyModels.Ids(ids.Select(i => (long)i).ToArray()));
        var expected = new ReferenceTransformer(model).Logits(ids);

        CollectionAssert.AreEqual(new long[] { 1, ids.Length, TinyModels.Vocab }, logits.shape);
        var actual = TinyModels.ToDoubles(logits);
        double maxDiff = 0, maxLogit = 0;
        for (int t = 0; t < ids.Length; t++)
            for (int v = 0; v < TinyModels.Vocab; v++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(actual[t * TinyModels.Vocab + v] - expected[t][v]));
                maxLogit = Math.Max(maxLogit, Math.Abs(expected[t][v]));
            }
        Assert.IsGreaterThan(0.5, maxLogit, "the randomised model should produce non-trivial logits");
        Assert.IsLessThan(1e-4, maxDiff, $"max |logit difference| = {maxDiff}");
    }

    [TestMethod]
    public void ReferenceErfMatchesKnownValues()
    {
        Assert.AreEqual(0.5204998778130465, ReferenceTransformer.Erf(0.5), 1e-14);
        Assert.AreEqual(-0.8427007929497149, ReferenceTransformer.Erf(-1), 1e-14);
        Assert.AreEqual(0.9999779095030014, ReferenceTransformer.Erf(3), 1e-14);
        Assert.AreEqual(0.9999992569016276, ReferenceTransformer.Erf(3.5), 1e-14);
    }
}
