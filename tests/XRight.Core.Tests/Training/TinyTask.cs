using XRight.Modeling;
using XRight.Training;

namespace XRight.Tests.Training;

/// <summary>
/// A tiny, deterministic token task for trainer tests: prompts of random tokens 3..31; the SFT response
/// copies the prompt's last two tokens; the preferred DPO response is token 1 repeated, the rejected one
/// the copy the SFT data teaches, so the objectives pull in different directions.
/// </summary>
internal static class TinyTask
{
    public const int Vocab = 32;
    public const int Eos = 2;

    public static CausalLm Model(int seed = 1, bool llama = false) => CausalLm.Create(
        llama ? CausalLmConfig.CreateLlama(vocabSize: Vocab, hiddenSize: 16, numLayers: 1, numHeads: 2, eosTokenId: Eos)
              : CausalLmConfig.CreateGptNeoX(vocabSize: Vocab, hiddenSize: 16, numLayers: 1, numHeads: 2, eosTokenId: Eos),
        new ModelOptions { Seed = seed });

    public static JointTrainingData Data(int instructions = 24, int preferences = 16, int seed = 5)
    {
        var random = new Random(seed);
        int[] Prompt() => Enumerable.Range(0, random.Next(3, 7)).Select(_ => random.Next(3, Vocab)).ToArray();
        var sft = Enumerable.Range(0, instructions).Select(_ =>
        {
            var p = Prompt();
            return new TokenizedInstruction(p, [p[^2], p[^1], Eos]);
        }).ToArray();
        var dpo = Enumerable.Range(0, preferences).Select(_ =>
        {
            var p = Prompt();
            return new TokenizedPreference(p, [1, 1, Eos], [p[^2], p[^1], Eos]);
        }).ToArray();
        return new JointTrainingData
        {
            Instructions = sft,
            Preferences = dpo,
            InstructionEvaluation = sft.Take(6).ToArray(),
            PreferenceEvaluation = dpo.Take(6).ToArray(),
        };
    }

    public static JointTrainerOptions Options(JointStrategy strategy) => new()
    {
        Strategy = new() { Kind = strategy, Lambda = 0.5, Epochs = 2, DpoOptimum = 0.0, SftOptimum = 0.0 },
        Optimizer = new() { LearningRate = 1e-2 },
        Batches = new() { SftBatchSize = 4, DpoBatchSize = 4 },
        Evaluation = new() { Interval = 4 },
        Reference = new ReferenceOptions { Kind = ReferenceModelKind.InitialModel },
        Runtime = new() { Device = "cpu", Seed = 3 },
    };
}
