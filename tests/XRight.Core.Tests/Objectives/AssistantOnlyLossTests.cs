using XRight.Modeling;
using XRight.Tests.Modeling;
using XRight.Training;
using static TorchSharp.torch;

namespace XRight.Tests.Objectives;

/// <summary>SFT with a per-token loss mask (assistant-only loss): only the marked response tokens are targets.</summary>
[TestClass]
public sealed class AssistantOnlyLossTests
{
    // Row 0: prompt [1, 14], response [22, 5, 40, 41, 9, 2] of which the "user turn" 40, 41 is context only.
    // Row 1: no mask, every response token is a target.
    private static readonly TokenizedInstruction[] Rows =
    [
        new([1, 14], [22, 5, 40, 41, 9, 2], [true, true, false, false, true, true]),
        new([1, 30, 31], [9, 2]),
    ];

    [TestMethod]
    public void CollateMarksOnlyTheMaskedResponseTokensAsTargets()
    {
        using var batch = CausalLmBatch.Collate(Rows.Select(r => (r.Prompt, r.Response)).ToArray(), padId: 0, CPU, Rows.Select(r => r.LossMask).ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0 }, batch.ResponseMask.data<long>().ToArray());
        Assert.AreEqual(4, Rows[0].TargetCount);
        Assert.AreEqual(2, Rows[1].TargetCount);
    }

    [TestMethod]
    public void CollateRefusesMasksThatDoNotMatchTheirRows()
    {
        (int[], int[])[] rows = [([1], [2, 3])];
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => CausalLmBatch.Collate(rows, 0, CPU, [new[] { true }])).Message, "1 flags for 2 response tokens");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => CausalLmBatch.Collate(rows, 0, CPU, [new[] { false, false }])).Message, "marks no response token");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => CausalLmBatch.Collate(rows, 0, CPU, [null, null])).Message, "2 loss masks for 1 rows");
    }

    [TestMethod]
    public void SftLossIsTheMeanNllOverTheMarkedTokensOnly()
    {
        using var model = TinyModels.Randomized(TinyModels.Llama());
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var scoring = new PolicyScoring(model, new DpoLossOptions(), padId: 0);
        using var scored = scoring.ScoreSft(Rows);

        // Independently, in double precision, from each row alone: −Σ log p(target) / number of targets.
        double nll = 0;
        int count = 0;
        foreach (var row in Rows)
        {
            int[] ids = [.. row.Prompt, .. row.Response];
            var logits = TinyModels.ToDoubles(model.Forward(TinyModels.Ids(ids.Select(i => (long)i).ToArray())));
            for (int i = 0; i < row.Response.Length; i++)
            {
                if (row.LossMask is { } mask && !mask[i]) continue;
                int t = row.Prompt.Length + i;
                var z = logits.AsSpan((t - 1) * TinyModels.Vocab, TinyModels.Vocab).ToArray();
                double max = z.Max();
                nll -= z[ids[t]] - (max + Math.Log(z.Sum(v => Math.Exp(v - max))));
                count++;
            }
        }
        Assert.AreEqual(6, count);
        Assert.AreEqual(nll / count, scored.Loss.item<float>(), 1e-5);

        // The held-out f_SFT uses the same targets.
        var held = scoring.Evaluate(Rows, [], reference: null, batchSize: 1);
        Assert.AreEqual(nll / count, held.FSft, 1e-5);

        // Without the mask the masked tokens count: the loss differs.
        using var unmasked = scoring.ScoreSft([Rows[0] with { LossMask = null }, Rows[1]]);
        Assert.AreNotEqual(scored.Loss.item<float>(), unmasked.Loss.item<float>(), 1e-4);
    }

    [TestMethod]
    public void TrainingDataRefusesAMaskThatMarksNothing()
    {
        var data = new JointTrainingData
        {
            Instructions = [new([1], [2, 3], [false, false]), new([1], [4, 5]), new([1], [6, 7])],
            InstructionEvaluation = [new([1], [2, 3])],
        };
        var error = Assert.ThrowsExactly<ArgumentException>(() => DataSplit.From(data, new JointTrainerOptions()));
        StringAssert.Contains(error.Message, "JointTrainingData.Instructions[0].LossMask marks no response token");
    }
}
