using Microsoft.ML;
using XRight.MLNet;
using XRight.Text;
using static XRight.Tests.MLNet.PostTrainingFixture;

namespace XRight.Tests.MLNet;

/// <summary>The ML.NET stage's training logs: completion samples in MLContext.Log, the TensorBoard folder of the options.</summary>
[TestClass]
public sealed class TrainingLogTests
{
    [TestMethod]
    public void CompletionSamplesReachMLContextLogAndTheCallerAndTheTensorBoardFolderIsWritten()
    {
        using var dir = new TempDirectory();
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var options = Options() with
        {
            Evaluation = Options().Evaluation with { Interval = 2 },
            Logging = new LoggingOptions { TensorBoardDirectory = dir.Path, CompletionSamples = 2, SampleGeneration = new GenerationOptions { MaxNewTokens = 3 } },
        };
        var progress = new Both();
        var pipeline = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(options, progress));
        using var fitted = pipeline.Fit(Combined(ml, instructions: 20, preferences: 12)).LastTransformer;

        var steps = fitted.Summary.Trajectory.Select(p => p.Step).ToArray();
        CollectionAssert.AreEqual(steps, progress.Evaluations.Select(e => e.Step).ToArray(), "one report per evaluation");
        CollectionAssert.AreEqual(new[] { 1, 2, 4 }, steps.Take(3).ToArray(), "after step 1 and every 2 steps");
        var tokenizer = CausalLmTokenizer.CreateByteLevel();
        foreach (var evaluation in progress.Evaluations)
        {
            Assert.HasCount(2, evaluation.Samples);
            StringAssert.Contains(string.Join('\n', messages), $"training step {evaluation.Step} held-out: f_SFT {evaluation.HeldOut.FSft:G6}, f_DPO {evaluation.HeldOut.FDpo:G6}");
            foreach (var sample in evaluation.Samples)
            {
                // The tokenizer's text, special tokens left out; line breaks shown as \n in the one-line log.
                Assert.AreEqual(tokenizer.Decode(sample.PromptIds), sample.Prompt);
                Assert.AreEqual(tokenizer.Decode(sample.CompletionIds), sample.Completion);
                Assert.IsLessThanOrEqualTo(3, sample.CompletionIds.Length);
                string line = $"training step {evaluation.Step} sample {sample.Index}: {sample.Prompt.Replace("\n", "\\n")} → {sample.Completion.Replace("\n", "\\n")}";
                CollectionAssert.Contains(messages.Select(m => m[(m.IndexOf("training step", StringComparison.Ordinal) is var i && i >= 0 ? i : 0)..]).ToArray(), line);
            }
        }
        var files = Directory.GetFiles(Path.Combine(dir.Path, "training"), "events.out.tfevents.*");
        Assert.HasCount(1, files);
        Assert.IsGreaterThan(1000L, new FileInfo(files[0]).Length, "steps of scalars, evaluations and samples");
    }

    [TestMethod]
    public void SampleTextShowsIdsBeyondTheTokenizersVocabularyAsMarkers()
    {
        var tokenizer = CausalLmTokenizer.CreateByteLevel();
        Assert.AreEqual(258, tokenizer.VocabSize);
        int[] ids = [.. tokenizer.Encode("Hi"), 300, 257 + 1, .. tokenizer.Encode("!")];
        Assert.AreEqual("Hi<id:300><id:258>!", JointPostTrainEstimator.SampleText(tokenizer, ids));
        Assert.AreEqual("", JointPostTrainEstimator.SampleText(tokenizer, []));
    }

    private sealed class Both : IProgress<TrainingProgress>, IProgress<TrainingEvaluation>
    {
        public List<TrainingEvaluation> Evaluations { get; } = [];

        public void Report(TrainingProgress value) { }

        public void Report(TrainingEvaluation value) => Evaluations.Add(value);
    }
}
