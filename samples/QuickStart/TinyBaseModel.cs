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
        // An earlier run's model is reused only when it was made by this same recipe; a model left by an
        // older version of the sample would make the sweep's figures differ from the README's.
        string recipe = Recipe(config, options, corpus), recipeFile = Path.Combine(folder, "recipe.sha256");
        if (File.Exists(Path.Combine(folder, "config.json")) && File.Exists(recipeFile) && File.ReadAllText(recipeFile) == recipe) return folder;
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var result = new JointTrainer(options).Train(() => CausalLm.Create(config, new ModelOptions { Seed = seed }), new JointTrainingData { Instructions = corpus }, progress);
        using var model = result.Model;
        model.SavePretrained(folder, tokenizer);
        File.WriteAllText(recipeFile, recipe);
        return folder;
    }

    private static string Recipe(CausalLmConfig config, JointTrainerOptions options, TokenizedInstruction[] corpus)
    {
        var text = new System.Text.StringBuilder(config.ToJson()).AppendLine()
            .AppendLine(System.Text.Json.JsonSerializer.Serialize(new { options.Strategy.SequentialSftEpochs, options.Optimizer.LearningRate, options.Batches.SftBatchSize, options.Runtime.Seed }));
        foreach (var row in corpus) text.AppendJoin(' ', row.Prompt).Append('|').AppendJoin(' ', row.Response).AppendLine();
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }
}
