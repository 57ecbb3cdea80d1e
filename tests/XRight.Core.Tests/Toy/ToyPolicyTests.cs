using XRight.Toy;

namespace XRight.Tests.Toy;

[TestClass]
public sealed class ToyPolicyTests
{
    [TestMethod]
    public void LogProbabilityIsTheSoftmaxOfFeatureScores()
    {
        // θ = [1, 1]: scores θᵀφ = 1 (output 0) and 2 (output 1);
        // log π(1) = −log(1 + e^−1) = −0.31326168751822286, log π(0) = −log(1 + e) = −1.3132616875182228.
        var prompt = new ToyPrompt([0.5, 0.5], [1.0, 1.0]);
        Assert.AreEqual(-0.31326168751822286, prompt.LogProbability([1.0, 1.0], 1), 1e-14);
        Assert.AreEqual(-1.3132616875182228, prompt.LogProbability([1.0, 1.0], 0), 1e-14);
        Assert.AreEqual(-Math.Log(2), prompt.LogProbability([1e6, -1e6], 0), 1e-12);   // equal scores, no overflow
    }

    [TestMethod]
    public void GeneralProblemGradientsMatchFiniteDifferences()
    {
        // Three outputs in R³, two preference rows and two demonstrations: nothing the closed forms cover.
        var a = new ToyPrompt([1.0, 0.0, -0.5], [0.2, 1.0, 0.3], [-0.7, 0.4, 1.0]);
        var b = new ToyPrompt([0.3, -0.2, 0.8], [1.1, 0.5, -0.4], [0.0, 0.9, 0.6]);
        var problem = new ToyProblem(
            [new ToyPreference(a, chosen: 2, rejected: 0), new ToyPreference(b, chosen: 0, rejected: 1)],
            [new ToyDemonstration(a, 1), new ToyDemonstration(b, 2)],
            referenceTheta: [0.4, -0.3, 0.1], beta: 0.7);
        foreach (double[] theta in new[] { new[] { 0.0, 0.0, 0.0 }, [1.5, -2.0, 0.7], [-3.0, 4.0, 2.5] })
            AssertGradientsMatch(problem, theta);
    }

    [TestMethod]
    [DataRow(1.0, 0)]
    [DataRow(0.1, 0)]
    [DataRow(1.0, 1)]
    public void Figure2GradientsMatchFiniteDifferences(double beta, int sftTarget)
    {
        var problem = PaperToys.Figure2(beta, sftTarget);
        foreach (double[] theta in new[] { new[] { 5.0, -9.9 }, [0.0, 0.0], [-4.0, 7.5] })
            AssertGradientsMatch(problem, theta);
    }

    [TestMethod]
    public void LowerBoundExampleReproducesThePapersClosedForms()
    {
        // Eq. (35)–(38): c = (1+e^5)/(1+e^−5) (= e^5),
        //   f_DPO = log(1 + c(1+e^{θ/2})/(1+e^{−θ/2})),  f_SFT = log(1 + e^{−θ/2}),
        //   g_DPO = ½ / (1 + e^{−(θ/2+5)}),               g_SFT = −½ / (1 + e^{θ/2}).
        double c = (1 + Math.Exp(5)) / (1 + Math.Exp(-5));
        var problem = PaperToys.LowerBound();
        foreach (var t in new[] { -20.0, -10.0, -5.0, -1.0, 0.0, 2.5, 10.0 })
        {
            Assert.AreEqual(Math.Log(1 + c * (1 + Math.Exp(t / 2)) / (1 + Math.Exp(-t / 2))), problem.Dpo([t]), 1e-12, $"f_DPO({t})");
            Assert.AreEqual(Math.Log(1 + Math.Exp(-t / 2)), problem.Sft([t]), 1e-12, $"f_SFT({t})");
            Assert.AreEqual(0.5 / (1 + Math.Exp(-(t / 2 + 5))), problem.DpoGradient([t])[0], 1e-12, $"g_DPO({t})");
            Assert.AreEqual(-0.5 / (1 + Math.Exp(t / 2)), problem.SftGradient([t])[0], 1e-12, $"g_SFT({t})");
        }
    }

    [TestMethod]
    public void LowerBoundTextsReferenceGivesAnotherConstant()
    {
        // With θ_ref = −5 as the paper's text says, the DPO margin is −(θ + 5)/2 and the constant is e^{2.5}, not e^5:
        // the closed forms the proof uses correspond to θ_ref = −10 (PaperToys.LowerBoundReferenceTheta).
        var problem = PaperToys.LowerBound(referenceTheta: -5);
        foreach (var t in new[] { -7.0, 0.0, 3.0 })
            Assert.AreEqual(Math.Log(1 + Math.Exp(2.5) * Math.Exp(t / 2)), problem.Dpo([t]), 1e-12);
    }

    [TestMethod]
    public void RejectsMalformedToyData()
    {
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new ToyPrompt([1.0])).Message, "at least 2 outputs; found 1");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new ToyPrompt([1.0, 2.0], [1.0])).Message, "output 1 has 1, output 0 has 2");
        var prompt = new ToyPrompt([1.0], [0.5]);
        Assert.AreEqual("rejected", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ToyPreference(prompt, 0, 2)).ParamName);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new ToyPreference(prompt, 1, 1)).Message, "both are output 1");
        var e = Assert.ThrowsExactly<ArgumentException>(() => new ToyProblem([new ToyPreference(prompt, 0, 1)], [new ToyDemonstration(prompt, 0)], [0.0, 1.0], 1));
        StringAssert.Contains(e.Message, "θ_ref must have 1 finite entries");
        Assert.ThrowsExactly<ArgumentException>(() => PaperToys.LowerBound().Dpo([1.0, 2.0]));
        Assert.AreEqual("beta", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PaperToys.Figure2(beta: 0)).ParamName);
    }

    private static void AssertGradientsMatch(ToyProblem problem, double[] theta)
    {
        const double h = 1e-6;
        var dpo = problem.DpoGradient(theta);
        var sft = problem.SftGradient(theta);
        for (int i = 0; i < theta.Length; i++)
        {
            var plus = theta.ToArray(); plus[i] += h;
            var minus = theta.ToArray(); minus[i] -= h;
            Assert.AreEqual((problem.Dpo(plus) - problem.Dpo(minus)) / (2 * h), dpo[i], 1e-7, $"∂f_DPO/∂θ{i} at [{string.Join(", ", theta)}]");
            Assert.AreEqual((problem.Sft(plus) - problem.Sft(minus)) / (2 * h), sft[i], 1e-7, $"∂f_SFT/∂θ{i} at [{string.Join(", ", theta)}]");
        }
    }
}
