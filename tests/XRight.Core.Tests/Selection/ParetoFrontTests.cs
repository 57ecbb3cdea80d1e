using XRight.Selection;
using XRight.Training;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class ParetoFrontTests
{
    private static bool[] Membership(params (double Dpo, double Sft)[] points) =>
        ParetoFront.Membership([.. points.Select(p => new ObjectivePair(p.Dpo, p.Sft))]);

    [TestMethod]
    public void DominanceNeedsNoWorseOnBothAndBetterOnOne()
    {
        var p = new ObjectivePair(0.5, 1.5);
        Assert.IsTrue(p.Dominates(new ObjectivePair(0.6, 1.6)), "better on both");
        Assert.IsTrue(p.Dominates(new ObjectivePair(0.5, 1.6)), "tie on f_DPO, better f_SFT");
        Assert.IsTrue(p.Dominates(new ObjectivePair(0.6, 1.5)), "better f_DPO, tie on f_SFT");
        Assert.IsFalse(p.Dominates(new ObjectivePair(0.5, 1.5)), "an identical point is not dominated");
        Assert.IsFalse(p.Dominates(new ObjectivePair(0.4, 1.6)), "a trade-off is not dominated");
        Assert.IsFalse(p.Dominates(new ObjectivePair(0.6, 1.4)), "a trade-off is not dominated");
    }

    [TestMethod]
    public void FrontOfTheEightPointSetIsTheCollinearTrioAndTheDuplicate()
    {
        // See Sweep.EightPoints: A, B, C (slope −1) and D (= B) are non-dominated; E..H are dominated.
        var points = Sweep.EightPoints().Select(c => new ObjectivePair(c.FDpo, c.FSft)).ToArray();
        CollectionAssert.AreEqual(new[] { true, true, true, true, false, false, false, false }, ParetoFront.Membership(points));
    }

    [TestMethod]
    public void FrontDoesNotDependOnInputOrder()
    {
        var points = Sweep.EightPoints().Select(c => new ObjectivePair(c.FDpo, c.FSft)).ToArray();
        var reversed = points.Reverse().ToArray();
        CollectionAssert.AreEqual(ParetoFront.Membership(points).Reverse().ToArray(), ParetoFront.Membership(reversed));
    }

    [TestMethod]
    public void CollinearPointsWithPositiveSlopeLeaveOnlyTheLowest()
    {
        // (0.25, 0.25) is better than the others on both objectives.
        CollectionAssert.AreEqual(new[] { false, true, false }, Membership((0.5, 0.5), (0.25, 0.25), (0.75, 0.75)));
    }

    [TestMethod]
    public void IdenticalPointsAreAllOnTheFront()
    {
        CollectionAssert.AreEqual(new[] { true, true, true }, Membership((1, 2), (1, 2), (1, 2)));
    }

    [TestMethod]
    public void ASinglePointIsItsOwnFront()
    {
        CollectionAssert.AreEqual(new[] { true }, Membership((3, 4)));
    }

    [TestMethod]
    public void StepOrderSortsByDpoThenSft()
    {
        var ordered = ParetoFront.StepOrder([new(0.75, 1.5), new(0.5, 1.75), new(0.25, 2.0), new(0.5, 1.75)]);
        CollectionAssert.AreEqual(new ObjectivePair[] { new(0.25, 2.0), new(0.5, 1.75), new(0.5, 1.75), new(0.75, 1.5) }, ordered);
    }
}
