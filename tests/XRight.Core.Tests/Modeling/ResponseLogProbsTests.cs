using TorchSharp;
using XRight.Modeling;
using static TorchSharp.torch;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class ResponseLogProbsTests
{
    private static readonly (int[] Prompt, int[] Response)[] Rows =
    [
        ([1, 14, 7], [22, 5, 2]),
        ([1, 30], [9, 2]),
        ([1, 8, 8, 40, 12], [33, 2]),
    ];

    [TestMethod]
    public void CollateRightPadsAndMarksTheResponseTokens()
    {
        using var batch = CausalLmBatch.Collate(Rows, padId: 0, CPU);
        Assert.AreEqual(3, batch.BatchSize);
        Assert.AreEqual(7, batch.Length);
        CollectionAssert.AreEqual(new long[] { 1, 14, 7, 22, 5, 2, 0, 1, 30, 9, 2, 0, 0, 0, 1, 8, 8, 40, 12, 33, 2 }, batch.InputIds.data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1 }, batch.AttentionMask.data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 }, batch.ResponseMask.data<long>().ToArray());
    }

    [TestMethod]
    public void CollateRejectsRowsThatCannotBeScored()
    {
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => CausalLmBatch.Collate([([1], [2]), ([], [3])], 0, CPU)).Message, "Row 1 has an empty prompt");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => CausalLmBatch.Collate([([1], [])], 0, CPU)).Message, "Row 0 has an empty response");
        Assert.ThrowsExactly<ArgumentException>(() => CausalLmBatch.Collate([], 0, CPU));
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt-350m")]
    public void SumsMatchAHandComputationFromEachRowAlone(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = CausalLmBatch.Collate(Rows, padId: 0, CPU);
        using var result = ResponseLogProbs.Compute(model, batch);

        Assert.AreEqual(ScalarType.Float32, result.SumLogProbs.dtype);
        for (int r = 0; r < Rows.Length; r++)
        {
            var (prompt, response) = Rows[r];
            int[] row = [.. prompt, .. response];
            var logits = TinyModels.ToDoubles(model.Forward(TinyModels.Ids(row.Select(i => (long)i).ToArray())));
            double sum = 0;
            int correct = 0;
            // Response token at position t is predicted by the logits at t − 1.
            for (int t = prompt.Length; t < row.Length; t++)
            {
                var z = logits.AsSpan((t - 1) * TinyModels.Vocab, TinyModels.Vocab).ToArray();
                double max = z.Max();
                sum += z[row[t]] - (max + Math.Log(z.Sum(v => Math.Exp(v - max))));
                if (Array.IndexOf(z, max) == row[t]) correct++;
            }
            Assert.AreEqual(sum, result.SumLogProbs[r].item<float>(), 1e-4, $"row {r}");
            Assert.AreEqual(response.Length, result.TokenCounts[r].item<long>(), $"row {r}");
            Assert.AreEqual(correct, result.CorrectTokens[r].item<long>(), $"row {r}");
        }
    }

    [TestMethod]
    public void CorrectTokensCountsGreedyHits()
    {
        // Train nothing: make the model's greedy choice the target by reading it off the logits first.
        using var model = TinyModels.Randomized(TinyModels.Llama());
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int[] prompt = [1, 5, 6];
        var logits = model.Forward(TinyModels.Ids([1, 5, 6]));
        int greedy = (int)logits[0, 2].argmax().item<long>();
        int other = (greedy + 1) % TinyModels.Vocab;
        using var batch = CausalLmBatch.Collate([(prompt, [greedy]), (prompt, [other])], 0, CPU);
        using var result = ResponseLogProbs.Compute(model, batch);
        CollectionAssert.AreEqual(new long[] { 1, 0 }, result.CorrectTokens.data<long>().ToArray());
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama")]
    [DataRow("opt")]
    [DataRow("opt-350m")]
    public void GradientMatchesFiniteDifferences(string variant)
    {
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        model.to(ScalarType.Float64);
        using var batch = CausalLmBatch.Collate(Rows, padId: 0, CPU);
        double[] weights = [1.0, -0.5, 2.0]; // an arbitrary combination, so every row's gradient counts

        double Objective()
        {
            using var scope = NewDisposeScope();
            using var result = ResponseLogProbs.Compute(model, batch);
            return (result.SumLogProbs * tensor(weights, ScalarType.Float64)).sum().item<double>();
        }

        using (var scope = NewDisposeScope())
        {
            using var result = ResponseLogProbs.Compute(model, batch);
            (result.SumLogProbs * tensor(weights, ScalarType.Float64)).sum().backward();
        }

        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        string[] probes = variant switch
        {
            "neox" => ["gpt_neox.embed_in.weight", "gpt_neox.layers.0.attention.query_key_value.weight", "gpt_neox.layers.1.mlp.dense_h_to_4h.bias", "gpt_neox.layers.0.input_layernorm.weight", "embed_out.weight"],
            "llama" => ["model.embed_tokens.weight", "model.layers.0.self_attn.k_proj.weight", "model.layers.1.mlp.gate_proj.weight", "model.layers.0.post_attention_layernorm.weight", "lm_head.weight"],
            "opt" => ["model.decoder.embed_tokens.weight", "model.decoder.embed_positions.weight", "model.decoder.layers.0.self_attn.q_proj.bias",
                      "model.decoder.layers.1.fc1.weight", "model.decoder.layers.0.self_attn_layer_norm.weight", "model.decoder.final_layer_norm.bias"],
            _ => ["model.decoder.embed_tokens.weight", "model.decoder.project_in.weight", "model.decoder.layers.0.self_attn.v_proj.weight",
                  "model.decoder.layers.1.fc2.bias", "model.decoder.layers.1.final_layer_norm.weight", "model.decoder.project_out.weight"],
        };

        var rng = new Random(5);
        const double eps = 1e-6;
        foreach (var name in probes)
        {
            var p = parameters[name];
            var flat = p.detach().view(-1);
            var grad = p.grad!.view(-1);
            for (int probe = 0; probe < 3; probe++)
            {
                // Embedding rows of tokens not in the batch have zero gradient; pick used rows. OPT's
                // position table starts two rows before position 0; row 2 + probe holds position probe.
                long index = name.Contains("embed_in") || name.Contains("embed_tokens")
                    ? Rows[probe].Prompt[^1] * model.Config.EmbeddingSize + rng.Next(model.Config.EmbeddingSize)
                    : name.Contains("embed_positions")
                        ? (2 + probe) * model.Config.HiddenSize + rng.Next(model.Config.HiddenSize)
                        : rng.NextInt64(flat.shape[0]);
                double original = flat[index].item<double>();
                double analytic = grad[index].item<double>();
                using (no_grad()) flat[index].fill_(original + eps);
                double up = Objective();
                using (no_grad()) flat[index].fill_(original - eps);
                double down = Objective();
                using (no_grad()) flat[index].fill_(original);
                double numeric = (up - down) / (2 * eps);
                Assert.AreEqual(numeric, analytic, 1e-6 + 1e-5 * Math.Abs(numeric), $"{name}[{index}]");
            }
        }
    }
}
