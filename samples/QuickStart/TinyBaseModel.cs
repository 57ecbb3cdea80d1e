using XRight.Modeling;
using XRight.Text;
using XRight.Training;

namespace XRight.Samples;

/// <summary>
/// The quick start's stand-in for a pretrained model: a tiny GPT-NeoX that first reads plain sentences of
/// the task's facts ("The color of a banana is yellow.") and every question answered in both styles, in the
/// chat format post-training uses, then is saved as a Hugging Face folder. Post-
/// training starts from that folder, as it would from a real checkpoint; it takes seconds on a CPU.
/// </summary>
internal static class TinyBaseModel
{
    public static string Create(string folder, CausalLmTokenizer tokenizer, PromptTemplate template, int seed, IProgress<TrainingProgress>? progress)
    {
        if (File.Exists(Path.Combine(folder, "config.json"))) return folder; // made by an earlier run
        var config = CausalLmConfig.CreateGptNeoX(vocabSize: tokenizer.VocabSize, hiddenSize: 128, numLayers: 2, numHeads: 4,
            maxPositionEmbeddings: 256, bosTokenId: tokenizer.EosTokenId, eosTokenId: tokenizer.EosTokenId);
        var corpus = SyntheticStyleTask.Sentences(template.Apply)
            .Select(s => new TokenizedInstruction([tokenizer.EosTokenId], [.. tokenizer.Encode(s), tokenizer.EosTokenId]))
            .ToArray();
        var options = new JointTrainerOptions
        {
            Strategy = new() { Kind = JointStrategy.Sequential, SequentialDpoEpochs = 0, SequentialSftEpochs = 80 },
            Optimizer = new() { LearningRate = 3e-3 },
            Batches = new() { SftBatchSize = 8 },
            Evaluation = new() { Interval = 1000 },
            Runtime = new() { Seed = seed },
        };
        var result = new JointTrainer(options).Train(() => CausalLm.Create(config, new ModelOptions { Seed = seed }), new JointTrainingData { Instructions = corpus }, progress);
        using var model = result.Model;
        model.SavePretrained(folder, tokenizer);
        return folder;
    }
}
