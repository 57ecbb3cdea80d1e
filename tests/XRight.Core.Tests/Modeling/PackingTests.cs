using TorchSharp;
using XRight.Modeling;
using XRight.Training;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class PackingTests
{
    // Lengths 8, 4, 4, 3, 5: packed into sequences of 8 (the longest row) first-fit decreasing gives
    // [row 0], [row 4 (5) + row 3 (3)], [row 1 (4) + row 2 (4)]: three sequences instead of five.
    private static readonly (int[] Prompt, int[] Response)[] Rows =
    [
        ([1, 10, 11], [20, 21, 22, 23, 2]),
        ([1, 12], [30, 2]),
        ([1, 13, 14], [40]),
        ([1], [50, 51]),
        ([1, 15], [41, 42, 2]),
    ];

    // float32 carries 24 bits (ε = 1.2e-7). The packed path differs from the padded one only in how attention is
    // run (an explicit block-diagonal mask instead of the causal kernel), so results differ by a few roundings per
    // operation through two layers, the head and a logsumexp over a few tokens: we allow 1e-5 relative (≈ 80 ε)
    // on log-probabilities and losses and 1e-4 of each gradient tensor's largest entry.
    private const double ValueTolerance = 1e-5, GradientTolerance = 1e-4;

    [TestMethod]
    public void RowsArePackedFirstFitDecreasingWithPositionsRestartingPerRow()
    {
        using var batch = CausalLmBatch.CollatePacked(Rows, padId: 0, CPU);
        Assert.AreEqual(3, batch.BatchSize);
        Assert.AreEqual(8, batch.Length);
        Assert.AreEqual(5, batch.Plan.RowCount);
        CollectionAssert.AreEqual(new long[] { 1, 10, 11, 20, 21, 22, 23, 2, 1, 15, 41, 42, 2, 1, 50, 51, 1, 12, 30, 2, 1, 13, 14, 40 },
            batch.InputIds.data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 0, 1, 2, 0, 1, 2, 3, 0, 1, 2, 3 },
            batch.Positions!.data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2 },
            batch.Segments!.data<long>().ToArray());
        // Row 3 ([1] then 50, 51) sits at offset 5 of sequence 1: 50 is predicted from flat position 8 + 5 + 0 = 13.
        int first = Rows.Take(3).Sum(r => r.Response.Length);
        Assert.AreEqual(13, batch.Plan.PredictorPositions[first]);
        Assert.AreEqual(50, batch.Plan.TargetIds[first]);
        Assert.AreEqual(3, batch.Plan.TargetRows[first]);
    }

    [TestMethod]
    public void ARowLeftOverIsPaddedInItsOwnSegment()
    {
        (int[], int[])[] rows = [([1, 2], [3, 4]), ([1], [5, 6])];
        using var batch = CausalLmBatch.CollatePacked(rows, padId: 9, CPU);
        // Lengths 4 and 3: neither fits beside the other in 4 tokens.
        Assert.AreEqual(2, batch.BatchSize);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 1, 5, 6, 9 }, batch.InputIds.data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 0, 1, 1, 1, -1 }, batch.Segments!.data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1, 1, 1, 1, 0 }, batch.AttentionMask.data<long>().ToArray());
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    [DataRow("opt-350m")]
    public void PackedLogProbsLossAndGradientsEqualThePaddedOnes(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant), seed: 5);
        model.train();
        var (padded, paddedGrads) = Score(model, packed: false);
        var (packed, packedGrads) = Score(model, packed: true);

        for (int r = 0; r < Rows.Length; r++)
            Assert.AreEqual(padded.Sums[r], packed.Sums[r], ValueTolerance * Math.Abs(padded.Sums[r]), $"row {r}");
        CollectionAssert.AreEqual(padded.Counts, packed.Counts);
        CollectionAssert.AreEqual(padded.Correct, packed.Correct);
        Assert.AreEqual(padded.Loss, packed.Loss, ValueTolerance * Math.Abs(padded.Loss));

        // A key projection's bias gets no gradient in exact arithmetic (softmax ignores a shift shared by all keys), so
        // what is computed for it is rounding noise; each tensor is compared at the scale of its own gradient or,
        // when that is below a thousandth of the model's largest gradient, at that thousandth.
        double largest = paddedGrads.Values.Max(g => g.Max(Math.Abs));
        Assert.IsGreaterThan(0.0, largest);
        foreach (var (name, g) in paddedGrads)
        {
            double scale = Math.Max(g.Max(Math.Abs), 1e-3 * largest);
            double diff = g.Zip(packedGrads[name], (x, y) => Math.Abs(x - y)).Max();
            Assert.IsLessThanOrEqualTo(GradientTolerance * scale, diff, $"{name}: max |Δ| {diff:E2} of max |g| {scale:E2}");
        }
    }

    [TestMethod]
    public void PackingIsNotMerelyConcatenation()
    {
        // Without the block mask and the restarted positions a packed row would see the row before it: the same
        // ids run as one plain causal sequence give row 3 a different log-probability than the padded path.
        using var model = TinyModels.Randomized(TinyModels.ByName("llama"), seed: 5);
        using var scope = NewDisposeScope();
        using var batch = CausalLmBatch.Collate(Rows, padId: 0, CPU);
        using var alone = ResponseLogProbs.Compute(model, batch);
        var joined = Rows[4].Prompt.Concat(Rows[4].Response).Concat(Rows[3].Prompt).ToArray();
        using var concatenated = CausalLmBatch.Collate([(joined, Rows[3].Response)], padId: 0, CPU);
        using var plain = ResponseLogProbs.Compute(model, concatenated);
        double expected = alone.SumLogProbs[3].item<float>(), leaked = plain.SumLogProbs[0].item<float>();
        Assert.IsGreaterThan(1e-3, Math.Abs(expected - leaked));
    }

    [TestMethod]
    public void TheTrainerScoresPackedSftBatchesAsPaddedOnes()
    {
        using var model = TinyModels.Randomized(TinyModels.ByName("neox"), seed: 5);
        var rows = Rows.Select(r => new TokenizedInstruction(r.Prompt, r.Response)).ToArray();
        using var padded = new PolicyScoring(model, new DpoLossOptions(), 0).ScoreSft(rows);
        using var packed = new PolicyScoring(model, new DpoLossOptions(), 0, packSft: true).ScoreSft(rows);
        double a = padded.Loss.item<float>(), b = packed.Loss.item<float>();
        Assert.AreEqual(a, b, ValueTolerance * Math.Abs(a));
        CollectionAssert.AreEqual(TinyModels.ToDoubles(padded.Metrics).Skip(1).ToArray(), TinyModels.ToDoubles(packed.Metrics).Skip(1).ToArray(), "token accuracy");
    }

    [TestMethod]
    public void PackedRowsKeepTheirLossMasks()
    {
        using var model = TinyModels.Randomized(TinyModels.ByName("llama"), seed: 6);
        // Row 0 keeps response tokens 1 and 4 of five, row 4 its first of three; the others keep all: 2 + 2 + 1 + 2 + 1 = 8 targets.
        bool[]?[] masks = [[false, true, false, false, true], null, null, null, [true, false, false]];
        var rows = Rows.Select((r, i) => new TokenizedInstruction(r.Prompt, r.Response, masks[i])).ToArray();
        using var padded = new PolicyScoring(model, new DpoLossOptions(), 0).ScoreSft(rows);
        using var packed = new PolicyScoring(model, new DpoLossOptions(), 0, packSft: true).ScoreSft(rows);
        using var unmasked = new PolicyScoring(model, new DpoLossOptions(), 0).ScoreSft(Rows.Select(r => new TokenizedInstruction(r.Prompt, r.Response)).ToArray());
        double a = padded.Loss.item<float>(), b = packed.Loss.item<float>();
        Assert.AreEqual(a, b, ValueTolerance * Math.Abs(a));
        Assert.IsGreaterThan(1e-3, Math.Abs(a - unmasked.Loss.item<float>()), "the masks must change the loss");

        using var batch = CausalLmBatch.CollatePacked(Rows, padId: 0, CPU, masks);
        using var scores = ResponseLogProbs.Compute(model, batch);
        CollectionAssert.AreEqual(new long[] { 2, 2, 1, 2, 1 }, scores.TokenCounts.data<long>().ToArray());
    }

    private sealed record Scores(double[] Sums, long[] Counts, long[] Correct, double Loss);

    private static (Scores Scores, Dictionary<string, double[]> Grads) Score(CausalLm model, bool packed)
    {
        foreach (var p in model.parameters()) p.grad = null;
        using var scope = NewDisposeScope();
        using var batch = packed ? CausalLmBatch.CollatePacked(Rows, padId: 0, CPU) : CausalLmBatch.Collate(Rows, padId: 0, CPU);
        using var result = ResponseLogProbs.Compute(model, batch);
        var loss = -result.SumLogProbs.sum() / result.TokenCounts.sum();
        loss.backward();
        var grads = model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => TinyModels.ToDoubles(p.parameter.grad ?? throw new AssertFailedException($"{p.name} got no gradient")));
        return (new Scores(TinyModels.ToDoubles(result.SumLogProbs), result.TokenCounts.data<long>().ToArray(), result.CorrectTokens.data<long>().ToArray(),
            loss.item<float>()), grads);
    }
}
