using Microsoft.ML;
using XRight.Data;
using XRight.MLNet;
using XRight.Modeling;
using XRight.Text;
using XRight.Training;

namespace XRight.Tests.MLNet;

/// <summary>Every strategy trains a tiny GPT-NeoX on real HH-RLHF and alpaca-gpt4 rows with the real Pythia tokenizer.</summary>
[TestClass]
public sealed class SharedDataTrainingTests
{
    [TestMethod]
    [DataRow(JointStrategy.Sequential)]
    [DataRow(JointStrategy.Mix)]
    [DataRow(JointStrategy.AlRight)]
    [DataRow(JointStrategy.MaxRight)]
    [DataRow(JointStrategy.MemoryEfficientMaxRight)]
    public void EveryStrategyTrainsOnTheRealDataSubsets(JointStrategy strategy)
    {
        var tokenizer = CausalLmTokenizer.FromPretrained(SharedAssets.Require("tokenizers/gpt-neox-20b"));
        var sftFile = SharedAssets.Require("data/alpaca_gpt4_sft_2k.jsonl");
        var dpoFile = SharedAssets.Require("data/hh_rlhf_pref_2k.jsonl");
        var ml = new MLContext(seed: 1);
        var naming = new JsonLinesOptions { ColumnNames = new Dictionary<string, string> { ["prompt"] = "Prompt", ["response"] = "Response" } };
        var pairs = new JsonLinesOptions { ColumnNames = new Dictionary<string, string> { ["prompt"] = "Prompt", ["chosen"] = "Chosen", ["rejected"] = "Rejected" } };
        var instructions = ml.Data.TakeRows(ml.Data.LoadFromJsonLines(sftFile, naming), 40);
        var preferences = ml.Data.TakeRows(ml.Data.LoadFromJsonLines(dpoFile, pairs), 24);
        var data = ml.PostTraining.CombineData(instructions, preferences);
        var tokenized = ml.Transforms.Text.FormatPrompt().Append(ml.Transforms.Text.TokenizeForCausalLm(tokenizer, maxLength: 96)).Fit(data).Transform(data);

        var options = new JointPostTrainOptions
        {
            BaseModelConfig = CausalLmConfig.CreateGptNeoX(vocabSize: tokenizer.VocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, eosTokenId: tokenizer.EosTokenId),
            Tokenizer = tokenizer,
            Reference = new ReferenceOptions { Kind = ReferenceModelKind.InitialModel },
            Strategy = new() { Kind = strategy, Epochs = 2, SequentialDpoEpochs = 1, SequentialSftEpochs = 1, DpoOptimum = 0.3, SftOptimum = 5.0 },
            Optimizer = new() { LearningRate = 1e-2 },
            Batches = new() { SftBatchSize = 8, DpoBatchSize = 4 },
            Evaluation = new() { Fraction = 0.2, Interval = 2 },
            Runtime = new() { Device = "cpu", Seed = 3 },
        };
        using var model = ml.PostTraining.JointPostTrain(options).Fit(tokenized);
        var summary = model.Summary;
        Assert.IsTrue(summary.Steps > 0);
        StringAssert.StartsWith(summary.InstructionData, "40 rows read");
        StringAssert.StartsWith(summary.PreferenceData, "24 rows read");
        var first = summary.Trajectory[0];
        Assert.IsTrue(double.IsFinite(summary.Final.FSft) && double.IsFinite(summary.Final.FDpo));
        Assert.IsLessThan(first.FSft, summary.Final.FSft, $"f_SFT after step 1 {first.FSft}, at the end {summary.Final.FSft}");
        Assert.IsLessThan(Math.Log(tokenizer.VocabSize), summary.Final.FSft, "better than a uniform guess over the vocabulary");
    }
}
