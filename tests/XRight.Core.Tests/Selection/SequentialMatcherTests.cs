using XRight.Selection;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class SequentialMatcherTests
{
    private static Dictionary<string, string> Pairs(SequentialMatcher matcher, IReadOnlyList<SelectionCandidate> sweep) =>
        matcher.Match(sweep).ToDictionary(p => p.Key, p => p.Value.Name);

    [TestMethod]
    public void DefaultPairingReproducesThePythiaFigures()
    {
        // Paper, Figure 3 and Appendix B.5: with 6 epochs λ = 0.01…0.99 pair with (1,5)…(5,1). λ = 0.25 lies
        // exactly between the shares 1/6 and 2/6, and λ = 0.75 between 4/6 and 5/6: the share nearer ½ wins.
        // Four-epoch runs are in the same sweep to check that only equal budgets are paired.
        SelectionCandidate[] sweep =
        [
            .. Enumerable.Range(1, 5).Select(n => Sweep.Sequential($"Seq({n},{6 - n})", n, 6 - n, 0.5, 2.0)),
            .. new[] { 0.01, 0.25, 0.5, 0.75, 0.99 }.Select(l => Sweep.Joint($"ALRIGHT {l}", l, 0.5, 2.0)),
            .. Enumerable.Range(1, 3).Select(n => Sweep.Sequential($"Seq4({n},{4 - n})", n, 4 - n, 0.5, 2.0)),
            .. new[] { 0.25, 0.5, 0.75 }.Select(l => Sweep.Joint($"MAXRIGHT4 {l}", l, 0.5, 2.0, strategy: "MAXRIGHT", epochs: 4)),
        ];

        var expected = new Dictionary<string, string>
        {
            ["ALRIGHT 0.01"] = "Seq(1,5)",
            ["ALRIGHT 0.25"] = "Seq(2,4)",
            ["ALRIGHT 0.5"] = "Seq(3,3)",
            ["ALRIGHT 0.75"] = "Seq(4,2)",
            ["ALRIGHT 0.99"] = "Seq(5,1)",
            ["MAXRIGHT4 0.25"] = "Seq4(1,3)",
            ["MAXRIGHT4 0.5"] = "Seq4(2,2)",
            ["MAXRIGHT4 0.75"] = "Seq4(3,1)",
        };
        CollectionAssert.AreEquivalent(expected, Pairs(SequentialMatcher.SameEpochsNearestShare, sweep));
    }

    [TestMethod]
    public void CandidateWithoutASequentialRunOfItsBudgetHasNoMatch()
    {
        SelectionCandidate[] sweep = [Sweep.Sequential("Seq(3,3)", 3, 3, 0.5, 2.0), Sweep.Joint("Mix 0.5", 0.5, 0.5, 2.0, strategy: "Mix", epochs: 2)];
        Assert.IsEmpty(Pairs(SequentialMatcher.SameEpochsNearestShare, sweep));
    }

    [TestMethod]
    public void SymmetricTieFallsBackToTheName()
    {
        // λ = 0.5 with shares 1/3 and 2/3 only: equally near λ and ½, so the smaller name wins, whatever the order.
        SelectionCandidate[] sweep = [Sweep.Sequential("z-Seq(2,1)", 2, 1, 0.5, 2.0), Sweep.Sequential("a-Seq(1,2)", 1, 2, 0.5, 2.0), Sweep.Joint("AL", 0.5, 0.5, 2.0, epochs: 3)];
        Assert.AreEqual("a-Seq(1,2)", Pairs(SequentialMatcher.SameEpochsNearestShare, sweep)["AL"]);
        Assert.AreEqual("a-Seq(1,2)", Pairs(SequentialMatcher.SameEpochsNearestShare, [.. sweep.Reverse()])["AL"]);
    }

    [TestMethod]
    public void ExplicitPairsAreUsedAsGiven()
    {
        SelectionCandidate[] sweep = [Sweep.Sequential("S1", 1, 5, 0.5, 2.0), Sweep.Sequential("S5", 5, 1, 0.5, 2.0), Sweep.Joint("AL", 0.01, 0.5, 2.0), Sweep.Joint("MAX", 0.5, 0.5, 2.0)];
        var matcher = SequentialMatcher.ByName(new Dictionary<string, string> { ["AL"] = "S5" });
        CollectionAssert.AreEquivalent(new Dictionary<string, string> { ["AL"] = "S5" }, Pairs(matcher, sweep));
        StringAssert.Contains(matcher.Description, "AL → S5");
    }

    [TestMethod]
    public void ExplicitPairsNamingWrongCandidatesAreRejected()
    {
        SelectionCandidate[] sweep = [Sweep.Sequential("S", 3, 3, 0.5, 2.0), Sweep.Joint("AL", 0.5, 0.5, 2.0), Sweep.Joint("MAX", 0.5, 0.5, 2.0)];
        (string Key, string Value, string Fragment)[] cases =
        [
            ("nobody", "S", "'nobody', which is not in the sweep"),
            ("S", "S", "is itself a Sequential run"),
            ("AL", "missing", "'missing', which is not in the sweep"),
            ("AL", "MAX", "expected a Sequential run"),
        ];
        foreach (var (key, value, fragment) in cases)
        {
            var matcher = SequentialMatcher.ByName(new Dictionary<string, string> { [key] = value });
            var e = Assert.ThrowsExactly<ArgumentException>(() => matcher.Match(sweep), $"{key} → {value}");
            StringAssert.Contains(e.Message, fragment);
        }
    }
}
