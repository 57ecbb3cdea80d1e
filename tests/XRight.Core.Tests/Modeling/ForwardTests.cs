using XRight.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class ForwardTests
{
    private static readonly long[] Sequence = [4, 9, 33, 2, 17, 50, 8, 8, 21, 3];

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    [DataRow("opt-350m")]
    public void LogitsAreIdenticalWithAndWithoutTheKvCache(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var full = model.Forward(TinyModels.Ids(Sequence));

        using var cache = new KvCache();
        var pieces = new List<Tensor> { model.Forward(TinyModels.Ids(Sequence[..4]), cache: cache) }; // a prompt
        pieces.Add(model.Forward(TinyModels.Ids(Sequence[4..6]), cache: cache));                     // two at once after a cache
        for (int t = 6; t < Sequence.Length; t++) pieces.Add(model.Forward(TinyModels.Ids(Sequence[t..(t + 1)]), cache: cache));

        Assert.AreEqual(Sequence.Length, cache.Length);
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(full, cat(pieces, 1)));
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    [DataRow("opt-350m")]
    public void LeftAndRightPaddingDoNotChangeTheLogitsOfRealTokens(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] shortRow = [7, 30, 12, 5];
        var alone = model.Forward(TinyModels.Ids(shortRow));
        var longAlone = model.Forward(TinyModels.Ids(Sequence[..7]));

        long pad = 0;
        var left = TinyModels.Ids([pad, pad, pad, .. shortRow], Sequence[..7]);
        var leftMask = TinyModels.Ids([0, 0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]);
        var leftLogits = model.Forward(left, leftMask);
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(alone[0], leftLogits[0].narrow(0, 3, 4)));
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(longAlone[0], leftLogits[1]));

        var right = TinyModels.Ids([.. shortRow, pad, pad, pad], Sequence[..7]);
        var rightMask = TinyModels.Ids([1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1]);
        var rightLogits = model.Forward(right, rightMask);
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(alone[0], rightLogits[0].narrow(0, 0, 4)));
        Assert.IsFalse(rightLogits.isnan().any().item<bool>(), "padding positions must not produce NaN");
        Assert.IsFalse(leftLogits.isnan().any().item<bool>(), "padding positions must not produce NaN");
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    [DataRow("opt-350m")]
    public void LeftPaddedIncrementalDecodingMatchesTheUnpaddedRow(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var expected = model.Forward(TinyModels.Ids(Sequence[..6]));

        using var cache = new KvCache();
        var prompt = TinyModels.Ids([0, 0, .. Sequence[..3]], Sequence[..5]);
        var mask = TinyModels.Ids([0, 0, 1, 1, 1], [1, 1, 1, 1, 1]);
        var first = model.Forward(prompt, mask, cache);
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(expected[0].narrow(0, 0, 3), first[0].narrow(0, 2, 3)));

        var steps = new List<Tensor>();
        for (int t = 3; t < 6; t++)
        {
            mask = cat([mask, ones(2, 1, ScalarType.Int64)], 1);
            var next = t + 2 < 6 ? Sequence[t + 2] : 0;
            steps.Add(model.Forward(TinyModels.Ids([Sequence[t]], [next]), mask, cache));
        }
        Assert.IsLessThan(1e-5, TinyModels.MaxAbsDifference(expected[0].narrow(0, 3, 3), cat(steps, 1)[0]));
    }

    [TestMethod]
    public void BadInputsAreRejectedWithClearMessages()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        using var scope = NewDisposeScope();
        var tooLarge = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Forward(TinyModels.Ids([1, TinyModels.Vocab])));
        StringAssert.Contains(tooLarge.Message, $"[0, {TinyModels.Vocab})");
        var floats = Assert.ThrowsExactly<ArgumentException>(() => model.Forward(ones(1, 3)));
        StringAssert.Contains(floats.Message, "int64");
        var badMask = Assert.ThrowsExactly<ArgumentException>(() => model.Forward(TinyModels.Ids([1, 2, 3]), ones(1, 2, ScalarType.Int64)));
        StringAssert.Contains(badMask.Message, "[1, 3]");

        using var cache = new KvCache();
        model.Forward(TinyModels.Ids([1, 2], [3, 4]), cache: cache);
        var batch = Assert.ThrowsExactly<ArgumentException>(() => model.Forward(TinyModels.Ids([5]), cache: cache));
        StringAssert.Contains(batch.Message, "2 rows");
    }
}
