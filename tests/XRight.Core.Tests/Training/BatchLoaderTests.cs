using XRight.Training;

namespace XRight.Tests.Training;

[TestClass]
public sealed class BatchLoaderTests
{
    [TestMethod]
    public void EachEpochCoversEveryRowOnceInANewOrder()
    {
        var loader = new BatchLoader<int>(Enumerable.Range(0, 10).ToArray(), batchSize: 4, seed: 1);
        Assert.AreEqual(3, loader.BatchesPerEpoch);
        var epoch0 = Enumerable.Range(0, 3).SelectMany(_ => loader.Next()).ToArray();
        Assert.AreEqual(0, loader.Epoch);
        Assert.AreEqual(3, loader.BatchIndex);
        var epoch1 = Enumerable.Range(0, 3).SelectMany(_ => loader.Next()).ToArray();
        Assert.AreEqual(1, loader.Epoch);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).ToArray(), epoch0);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).ToArray(), epoch1);
        CollectionAssert.AreNotEqual(epoch0, epoch1, "reshuffled");
    }

    [TestMethod]
    public void RestoredStateServesTheSameBatches()
    {
        var rows = Enumerable.Range(0, 23).ToArray();
        var a = new BatchLoader<int>(rows, 5, seed: 9);
        for (int i = 0; i < 7; i++) a.Next();
        var b = new BatchLoader<int>(rows, 5, seed: 1234);
        b.LoadState(a.SaveState());
        for (int i = 0; i < 20; i++) CollectionAssert.AreEqual(a.Next().ToArray(), b.Next().ToArray());
    }

    [TestMethod]
    public void LengthGroupingCutsPadding()
    {
        var random = new Random(4);
        var lengths = Enumerable.Range(0, 400).Select(_ => random.Next(1, 200)).ToArray();
        static long Padding(BatchLoader<int> loader)
        {
            long pad = 0;
            for (int i = 0; i < loader.BatchesPerEpoch; i++)
            {
                var batch = loader.Next();
                pad += batch.Sum(l => (long)(batch.Max() - l));
            }
            return pad;
        }
        long plain = Padding(new BatchLoader<int>(lengths, 8, 3));
        var grouped = new BatchLoader<int>(lengths, 8, 3, l => l);
        long groupedPad = Padding(grouped);
        Assert.IsLessThan(plain / 5, groupedPad, $"grouped {groupedPad} vs plain {plain}");
        var seen = new List<int>();
        for (int i = 0; i < grouped.BatchesPerEpoch; i++) seen.AddRange(grouped.Next());
        CollectionAssert.AreEquivalent(lengths, seen.ToArray(), "grouping still covers every row once per epoch");
    }

    [TestMethod]
    public void RejectsEmptyDataAndBadBatchSizes()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new BatchLoader<int>([], 2, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new BatchLoader<int>([1], 0, 0));
    }
}
