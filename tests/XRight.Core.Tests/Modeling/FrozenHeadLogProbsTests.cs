using XRight.Modeling;
using XRight.Modeling.Layers;
using XRight.Modeling.Lora;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace XRight.Tests.Modeling;

[TestClass]
public sealed class FrozenHeadLogProbsTests
{
    private const int Rows = 7, Width = 5, Vocab = 11;
    private static readonly long[] TargetIds = [3, 0, 10, 3, 7, 1, 9];

    private static (Tensor Hidden, Tensor Weight, Tensor Targets) Inputs(ScalarType type = ScalarType.Float32)
    {
        using var generator = new TorchSharp.torch.Generator(5);
        var hidden = randn([Rows, Width], ScalarType.Float64, generator: generator).to(type);
        var weight = randn([Vocab, Width], ScalarType.Float64, generator: generator).to(type);
        return (hidden, weight, tensor(TargetIds));
    }

    /// <summary>Per row: log softmax(W h)[y] and (W[y] − Σ_v p_v W[v]) in double precision, from the formulas.</summary>
    private static (double[] LogProbs, double[][] Gradients, bool[] Correct) Independent(Tensor hidden, Tensor weight)
    {
        var h = TinyModels.ToDoubles(hidden);
        var w = TinyModels.ToDoubles(weight);
        var logProbs = new double[Rows];
        var gradients = new double[Rows][];
        var correct = new bool[Rows];
        for (int r = 0; r < Rows; r++)
        {
            var z = new double[Vocab];
            for (int v = 0; v < Vocab; v++)
                for (int e = 0; e < Width; e++) z[v] += h[r * Width + e] * w[v * Width + e];
            double max = z.Max(), sum = z.Sum(x => Math.Exp(x - max));
            int y = (int)TargetIds[r];
            logProbs[r] = z[y] - max - Math.Log(sum);
            correct[r] = Array.IndexOf(z, max) == y;
            gradients[r] = new double[Width];
            for (int v = 0; v < Vocab; v++)
            {
                double coefficient = (v == y ? 1 : 0) - Math.Exp(z[v] - max) / sum;
                for (int e = 0; e < Width; e++) gradients[r][e] += coefficient * w[v * Width + e];
            }
        }
        return (logProbs, gradients, correct);
    }

    [TestMethod]
    [DataRow(1L)]
    [DataRow(3L)]
    [DataRow(7L)]
    [DataRow(100L)]
    public void LogProbsAndTheirGradientMatchTheFormulasForAnyChunking(long rowsPerChunk)
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs();
        var expected = Independent(hidden, weight);
        hidden.requires_grad_(true);
        var (logProbs, correct) = FrozenHeadLogProbs.Compute(hidden, weight, targets, ScalarType.Float32, rowsPerChunk);
        // A weight per row, so each row's gradient is scaled by its own incoming gradient.
        var rowWeights = tensor(new float[] { 1, -2, 0.5f, 3, -1, 0.25f, 2 });
        (logProbs * rowWeights).sum().backward();

        var actual = TinyModels.ToDoubles(logProbs);
        var gradient = TinyModels.ToDoubles(hidden.grad!);
        var weights = TinyModels.ToDoubles(rowWeights);
        CollectionAssert.AreEqual(expected.Correct, correct.data<long>().ToArray().Select(c => c == 1).ToArray());
        for (int r = 0; r < Rows; r++)
        {
            Assert.AreEqual(expected.LogProbs[r], actual[r], 1e-5 * Math.Max(1, Math.Abs(expected.LogProbs[r])), $"row {r}");
            for (int e = 0; e < Width; e++)
                Assert.AreEqual(weights[r] * expected.Gradients[r][e], gradient[r * Width + e], 1e-5, $"row {r}, element {e}");
        }
    }

    [TestMethod]
    public void ChunkedValuesAndGradientsEqualThePlainLogitsPath()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs();
        var plainHidden = hidden.clone().requires_grad_(true);
        var logits = F.linear(plainHidden, weight);
        var plain = logits.gather(1, targets.unsqueeze(1)).squeeze(1) - logits.logsumexp(1);
        plain.sum().backward();

        var chunkedHidden = hidden.clone().requires_grad_(true);
        var (chunked, _) = FrozenHeadLogProbs.Compute(chunkedHidden, weight, targets, ScalarType.Float32, rowsPerChunk: 2);
        chunked.sum().backward();
        Assert.IsLessThanOrEqualTo(1e-6, TinyModels.MaxAbsDifference(plain, chunked));
        Assert.IsLessThanOrEqualTo(1e-6, TinyModels.MaxAbsDifference(plainHidden.grad!, chunkedHidden.grad!));
    }

    [TestMethod]
    public void ABFloat16HeadScoresInFloat32AndGivesABFloat16Gradient()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(ScalarType.BFloat16);
        var expected = Independent(hidden, weight); // the formulas on the bfloat16 values themselves
        hidden.requires_grad_(true);
        var (logProbs, _) = FrozenHeadLogProbs.Compute(hidden, weight, targets, ScalarType.Float32, rowsPerChunk: 3);
        logProbs.sum().backward();
        Assert.AreEqual(ScalarType.Float32, logProbs.dtype);
        Assert.AreEqual(ScalarType.BFloat16, hidden.grad!.dtype);
        var actual = TinyModels.ToDoubles(logProbs);
        var gradient = TinyModels.ToDoubles(hidden.grad!);
        for (int r = 0; r < Rows; r++)
        {
            // The logits are a bfloat16 product (8 significant bits): a few units of 2⁻⁸ of their size.
            Assert.AreEqual(expected.LogProbs[r], actual[r], 0.05 * Math.Max(1, Math.Abs(expected.LogProbs[r])), $"row {r}");
            for (int e = 0; e < Width; e++) Assert.AreEqual(expected.Gradients[r][e], gradient[r * Width + e], 0.05, $"row {r}, element {e}");
        }
    }

    [TestMethod]
    public void ATrainingHeadIsRefused()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs();
        weight.requires_grad_(true);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => FrozenHeadLogProbs.Compute(hidden, weight, targets, ScalarType.Float32));
        StringAssert.Contains(error.Message, "The output head trains");
        using (no_grad()) FrozenHeadLogProbs.Compute(hidden, weight, targets, ScalarType.Float32); // no gradient recorded: allowed
    }

    [TestMethod]
    [DataRow("neox")]
    [DataRow("llama-tied")]
    [DataRow("opt-350m")]
    public void ALoraModelScoresAsWithTheLogitsKeptAndGetsTheSameAdapterGradients(string variant)
    {
        (int[] Prompt, int[] Response)[] rows = [([1, 14, 7], [22, 5, 2]), ([1, 30], [9, 40, 33, 2])];
        using var model = TinyModels.Randomized(TinyModels.ByName(variant));
        model.ApplyLora(new LoraOptions { Rank = 4, Alpha = 8, TargetModules = ["all-linear"] });
        TinyModels.Randomize(model, 9); // non-zero B, so every adapter has a gradient
        var head = model.PlainHeadWeight!;
        Assert.IsFalse(head.requires_grad, "LoRA freezes the head");

        (double[] Sums, Dictionary<string, double[]> Grads) Run(bool keepLogits)
        {
            foreach (var p in model.parameters()) p.grad = null;
            head.requires_grad_(keepLogits); // a training head takes the path that keeps the logits
            using var scope = NewDisposeScope();
            using var batch = CausalLmBatch.Collate(rows, padId: 0, CPU);
            using var result = ResponseLogProbs.Compute(model, batch);
            result.SumLogProbs.sum().backward();
            head.requires_grad_(false);
            return (TinyModels.ToDoubles(result.SumLogProbs),
                model.named_parameters().Where(p => p.name.Contains("lora_")).ToDictionary(p => p.name, p => TinyModels.ToDoubles(p.parameter.grad!)));
        }

        var kept = Run(keepLogits: true);
        var chunked = Run(keepLogits: false);
        for (int r = 0; r < rows.Length; r++) Assert.AreEqual(kept.Sums[r], chunked.Sums[r], 1e-5 * Math.Abs(kept.Sums[r]));
        foreach (var (name, g) in kept.Grads)
        {
            double scale = g.Max(Math.Abs), diff = g.Zip(chunked.Grads[name], (a, b) => Math.Abs(a - b)).Max();
            Assert.IsGreaterThan(0.0, scale, $"{name}: zero gradient");
            Assert.IsLessThanOrEqualTo(1e-5 * scale, diff, $"{name}: max |Δ| {diff:E2} of max |g| {scale:E2}");
        }
    }
}
