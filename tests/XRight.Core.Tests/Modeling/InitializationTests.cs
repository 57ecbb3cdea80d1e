using XRight.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class InitializationTests
{
    [TestMethod]
    public void TheSameSeedGivesTheSameWeightsAndAnotherSeedDifferentOnes()
    {
        var config = TinyModels.NeoX();
        using var a = CausalLm.Create(config, new ModelOptions { Seed = 7 });
        using var b = CausalLm.Create(config, new ModelOptions { Seed = 7 });
        using var c = CausalLm.Create(config, new ModelOptions { Seed = 8 });
        var bWeights = b.state_dict();
        var cWeights = c.state_dict();
        foreach (var (name, p) in a.state_dict())
        {
            Assert.AreEqual(0.0, TinyModels.MaxAbsDifference(p, bWeights[name]), name);
            if (name.EndsWith("dense.weight", StringComparison.Ordinal)) Assert.IsGreaterThan(0.0, TinyModels.MaxAbsDifference(p, cWeights[name]), name);
        }
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt-350m")]
    public void WeightsAreDrawnAsHuggingFaceInitialisesThem(string variant)
    {
        using var model = CausalLm.Create(TinyModels.ByName(variant), new ModelOptions { Seed = 3 });
        using var scope = NewDisposeScope();
        foreach (var (name, p) in model.named_parameters())
        {
            var values = TinyModels.ToDoubles(p);
            if (name.Contains("norm", StringComparison.Ordinal) && name.EndsWith("weight", StringComparison.Ordinal))
                Assert.IsTrue(values.All(v => v == 1), $"{name} starts at 1");
            else if (name.EndsWith("bias", StringComparison.Ordinal))
                Assert.IsTrue(values.All(v => v == 0), $"{name} starts at 0");
            else
            {
                double mean = values.Average();
                double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
                Assert.AreEqual(0.0, mean, 0.004, $"{name} mean");
                Assert.AreEqual(0.02, std, 0.003, $"{name} std ({values.Length} values)");
            }
        }
    }
}
