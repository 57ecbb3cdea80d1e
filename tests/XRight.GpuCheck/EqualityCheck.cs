using TorchSharp;
using XRight.Modeling;
using XRight.Objectives;
using XRight.Training.Optimization;
using static TorchSharp.torch;

namespace XRight.GpuCheck;

/// <summary>
/// Section (a): the same tiny GPT-NeoX and Llama models (same seed, so the same weights: they are drawn on the CPU
/// in float32) run the same fixed batches on the CPU in float32 (the reference) and on the checked device in
/// float32 and bfloat16. Compared: logits, summed response log-probs through the scoring path, f_SFT, f_DPO, the
/// gradients of f_SFT + f_DPO, and every weight after global-norm clipping and one AdamW step.
/// </summary>
internal static class EqualityCheck
{
    private const int PadId = 0;
    private const int ModelSeed = 5;

    /// <summary>The tiny configurations, shared with the Hugging Face export.</summary>
    public static IReadOnlyList<(string Name, Func<CausalLmConfig> Config)> TinyModels { get; } =
    [
        ("gpt_neox-tiny", () => CausalLmConfig.CreateGptNeoX(vocabSize: 128, hiddenSize: 64, numLayers: 2, numHeads: 4, intermediateSize: 256,
            maxPositionEmbeddings: 64, bosTokenId: 1, eosTokenId: 2)),
        ("llama-tiny", () => CausalLmConfig.CreateLlama(vocabSize: 128, hiddenSize: 64, numLayers: 2, numHeads: 4, numKeyValueHeads: 2,
            intermediateSize: 176, maxPositionEmbeddings: 64)),
    ];

    public static CausalLm CreateTiny(CausalLmConfig config, ModelDtype dtype, Device device) =>
        CausalLm.Create(config, new ModelOptions { Dtype = dtype, Device = device, Seed = ModelSeed });

    public static List<ComparisonResult> Run(Device device, TextWriter log)
    {
        bool sameDevice = device.type == DeviceType.CPU;
        var results = new List<ComparisonResult>();
        foreach (var (name, makeConfig) in TinyModels)
        {
            var config = makeConfig();
            using var scope = NewDisposeScope();
            var data = FixedBatches.Make(config.VocabSize, seed: 11);
            var reference = Compute(config, ModelDtype.Float32, CPU, data);
            foreach (var dtype in new[] { ModelDtype.Float32, ModelDtype.BFloat16 })
            {
                string dtypeName = dtype == ModelDtype.Float32 ? "float32" : "bfloat16";
                log.WriteLine($"  {name} {dtypeName} on {device} against the CPU in float32");
                var actual = Compute(config, dtype, device, data);
                foreach (var (quantity, r, a) in reference.Pairs(actual))
                {
                    var result = ComparisonResult.Of(name, dtypeName, quantity.ToString(), r, a, Tolerances.For(quantity, dtypeName, sameDevice));
                    results.Add(result with { Note = result.Note ?? $"device {device}" });
                    log.WriteLine($"    {quantity,-18} max abs {result.MaxAbsError:G3}  max rel {result.MaxRelError:G3}  {(result.Passed ? "ok" : "FAILED")}");
                }
            }
        }
        return results;
    }

    /// <summary>Everything compared, computed on <paramref name="device"/> in <paramref name="dtype"/> and brought to the CPU as float32.</summary>
    private static Outputs Compute(CausalLmConfig config, ModelDtype dtype, Device device, FixedBatches data)
    {
        using var model = CreateTiny(config, dtype, device);
        model.eval(); // no dropout (the configurations have none anyway); gradients still flow

        Tensor logits;
        using (no_grad())
            logits = Host(model.Forward(tensor(data.Ids, [data.IdRows, data.IdLength], ScalarType.Int64, device)));

        using var sftBatch = CausalLmBatch.Collate(data.SftRows, PadId, device);
        using var sftScores = ResponseLogProbs.Compute(model, sftBatch);
        var sftLoss = SftLoss.Compute(sftScores.SumLogProbs, sftScores.TokenCounts);

        // Chosen rows first, rejected after them: one forward pass, as the trainer scores DPO.
        var pairRows = data.Pairs.Select(p => (p.Prompt, p.Chosen)).Concat(data.Pairs.Select(p => (p.Prompt, p.Rejected))).ToArray();
        using var pairBatch = CausalLmBatch.Collate(pairRows, PadId, device);
        using var pairScores = ResponseLogProbs.Compute(model, pairBatch);
        int pairs = data.Pairs.Length;
        var dpo = DpoLoss.Compute(pairScores.SumLogProbs.narrow(0, 0, pairs), pairScores.SumLogProbs.narrow(0, pairs, pairs),
            tensor(data.ReferenceChosen, device: device), tensor(data.ReferenceRejected, device: device), new DpoLossOptions());

        (sftLoss + dpo.Loss).backward();
        var parameters = model.parameters().ToArray();
        var gradients = cat(parameters.Select(p => Host(p.grad ?? zeros_like(p)).flatten()).ToArray());
        GradientClipping.ClipByGlobalNorm(parameters, 1.0);
        using (var optimizer = new AdamW(parameters, 0.9, 0.95, 1e-8, 0.0))
            optimizer.Step(Tolerances.AdamWLearningRate);
        var weights = cat(parameters.Select(p => Host(p).flatten()).ToArray());

        return new Outputs(logits, Host(sftScores.SumLogProbs), Host(sftLoss), Host(dpo.Loss), gradients, weights);
    }

    private static Tensor Host(Tensor t) => t.detach().to(ScalarType.Float32).cpu();

    private sealed record Outputs(Tensor Logits, Tensor SequenceLogProbs, Tensor SftLoss, Tensor DpoLoss, Tensor Gradients, Tensor Weights)
    {
        public IEnumerable<(Quantity, Tensor Reference, Tensor Actual)> Pairs(Outputs actual) =>
        [
            (Quantity.Logits, Logits, actual.Logits),
            (Quantity.SequenceLogProbs, SequenceLogProbs, actual.SequenceLogProbs),
            (Quantity.SftLoss, SftLoss, actual.SftLoss),
            (Quantity.DpoLoss, DpoLoss, actual.DpoLoss),
            (Quantity.Gradients, Gradients, actual.Gradients),
            (Quantity.WeightsAfterAdamW, Weights, actual.Weights),
        ];
    }
}

/// <summary>
/// The fixed inputs of the equality check: a [2, 16] id batch for the logits, four instruction rows and three
/// preference pairs of different lengths (so batches are right-padded), and fixed reference log-probs.
/// </summary>
internal sealed record FixedBatches(long[] Ids, int IdRows, int IdLength, (int[] Prompt, int[] Response)[] SftRows,
    (int[] Prompt, int[] Chosen, int[] Rejected)[] Pairs, float[] ReferenceChosen, float[] ReferenceRejected)
{
    public static FixedBatches Make(int vocab, int seed)
    {
        var random = new Random(seed);
        int[] Ids(int count) => Enumerable.Range(0, count).Select(_ => random.Next(3, vocab)).ToArray();
        var ids = Enumerable.Range(0, 2 * 16).Select(_ => (long)random.Next(3, vocab)).ToArray();
        (int[], int[])[] sft = [(Ids(3), Ids(9)), (Ids(5), Ids(4)), (Ids(4), Ids(7)), (Ids(6), Ids(5))];
        (int[], int[], int[])[] pairs = [(Ids(4), Ids(6), Ids(8)), (Ids(3), Ids(9), Ids(5)), (Ids(5), Ids(7), Ids(7))];
        // About what a random model over 128 tokens gives (−ln 128 ≈ −4.85 per token), shifted per pair so the margins differ.
        var referenceChosen = pairs.Select((p, i) => -4.8f * p.Item2.Length + 0.3f * i).ToArray();
        var referenceRejected = pairs.Select((p, i) => -4.8f * p.Item3.Length - 0.2f * i).ToArray();
        return new FixedBatches(ids, 2, 16, sft, pairs, referenceChosen, referenceRejected);
    }
}
