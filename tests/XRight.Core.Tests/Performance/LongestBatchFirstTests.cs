using XRight.Training;

namespace XRight.Tests.Performance;

[TestClass]
public sealed class LongestBatchFirstTests
{
    [TestMethod]
    public void EveryGroupedEpochStartsWithTheBatchOfItsLongestRow()
    {
        var random = new Random(8);
        var lengths = Enumerable.Range(0, 300).Select(_ => random.Next(1, 1000)).ToArray();
        var loader = new BatchLoader<int>(lengths, batchSize: 6, seed: 2, lengthForGrouping: l => l);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var batches = Enumerable.Range(0, loader.BatchesPerEpoch).Select(_ => loader.Next()).ToArray();
            Assert.AreEqual(lengths.Max(), batches[0].Max(), $"epoch {epoch}");
            CollectionAssert.AreEquivalent(lengths, batches.SelectMany(b => b).ToArray(), $"epoch {epoch} still covers every row once");
        }
    }

    [TestMethod]
    public void UngroupedEpochsKeepTheirShuffledOrder()
    {
        // Without grouping nothing is moved: the first batch is whatever the shuffle put first.
        var lengths = Enumerable.Range(0, 60).ToArray();
        var firsts = Enumerable.Range(0, 20).Select(seed => new BatchLoader<int>(lengths, 6, seed).Next().Max()).ToArray();
        Assert.IsLessThan(20, firsts.Count(max => max == 59), "the longest row does not lead every ungrouped epoch");
    }
}
