using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using XRight.MLNet;
using XRight.Modeling;
using XRight.Modeling.Generation;
using XRight.Modeling.Lora;
using XRight.Objectives;
using XRight.Runtime;
using XRight.Text;
using XRight.Training;
using static XRight.Tests.MLNet.PostTrainingFixture;

namespace XRight.Tests.MLNet;

/// <summary>The ML.NET conventions a user expects of a trainer: the context's seed, GPU settings and cancellation, plain-argument overloads, a validation view.</summary>
[TestClass]
public sealed class MlNetConventionsTests
{
    public sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    public sealed class Completion
    {
        public string Response { get; set; } = "";
    }

    /// <summary>Reports synchronously (System.Progress would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }

    private static JointPostTrainOptions Unseeded(JointStrategy strategy = JointStrategy.AlRight)
    {
        var options = Options(strategy);
        return options with { Runtime = options.Runtime with { Seed = null } };
    }

    private static JointPostTrainTransformer FitCombined(MLContext ml, JointPostTrainOptions options, IProgress<TrainingProgress>? progress = null)
        => TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(options, progress)).Fit(Combined(ml, instructions: 20, preferences: 12)).LastTransformer;

    private static Dictionary<string, float[]> Weights(JointPostTrainTransformer model)
    {
        using var scope = torch.NewDisposeScope();
        return model.Policy.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());
    }

    private static bool SameWeights(Dictionary<string, float[]> a, Dictionary<string, float[]> b)
        => a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var other) && p.Value.AsSpan().SequenceEqual(other));

    [TestMethod]
    public void LoadingAndGeneratingLeaveTheCallersGeneratorAlone()
    {
        using var dir = new TempDirectory();
        var zip = dir.File("model.zip");
        var ml = new MLContext(seed: 1);
        var data = Combined(ml);
        var quick = Options() with { Strategy = Options().Strategy with { MaxSteps = 1 } };
        using (var trained = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(quick)).Fit(data))
            ml.Model.Save(trained, data.Schema, zip);

        using var scope = torch.NewDisposeScope();
        torch.manual_seed(123);
        var expected = torch.rand(8).data<float>().ToArray();

        torch.manual_seed(123);
        var fresh = new MLContext();
        var loaded = fresh.PostTraining.LoadModel(zip, out _);
        CollectionAssert.AreEqual(expected, torch.rand(8).data<float>().ToArray(), "loading a model zip must not reseed torch");

        // Sampled generation and scoring draw from their own generators, never torch's.
        var model = ((IEnumerable<ITransformer>)loaded).OfType<JointPostTrainTransformer>().Single();
        model.Generation = new GenerationOptions { MaxNewTokens = 6, Temperature = 1.0, Seed = 5 };
        torch.manual_seed(123);
        var engine = fresh.Model.CreatePredictionEngine<PromptRow, Completion>(loaded);
        var first = engine.Predict(new PromptRow { Prompt = "Color 1?" }).Response;
        var scored = loaded.Transform(fresh.Data.LoadFromEnumerable(Preferences(2)));
        Assert.AreEqual(2, scored.GetColumn<float>(JointPostTrainTransformer.ChosenRewardColumn).Count());
        CollectionAssert.AreEqual(expected, torch.rand(8).data<float>().ToArray(), "generation and scoring must not touch torch's generator");
        Assert.AreEqual(first, engine.Predict(new PromptRow { Prompt = "Color 1?" }).Response, "generation is seeded by its own options");
        (loaded as IDisposable)?.Dispose();
    }
}
