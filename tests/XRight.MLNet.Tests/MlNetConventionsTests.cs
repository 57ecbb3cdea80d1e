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
    public void TheContextSeedDrivesTrainingWhenTheOptionsLeaveTheSeedUnset()
    {
        var fromContext = new MLContext(seed: 7);
        Assert.AreEqual(7, fromContext.PostTraining.JointPostTrain(Unseeded()).Options.Runtime.Seed);
        var given = Unseeded() with { Runtime = Unseeded().Runtime with { Seed = 11 } };
        Assert.AreEqual(11, fromContext.PostTraining.JointPostTrain(given).Options.Runtime.Seed, "a seed in the options wins");
        var unseededContext = new MLContext().PostTraining.JointPostTrain(Unseeded()).Options.Runtime;
        Assert.IsNull(unseededContext.Seed);
        Assert.AreEqual(RuntimeOptions.DefaultSeed, unseededContext.EffectiveSeed, "no seed anywhere: the default keeps runs reproducible");

        using var viaContext = FitCombined(new MLContext(seed: 7), Unseeded());
        using var viaOptions = FitCombined(new MLContext(seed: 1), Unseeded() with { Runtime = Unseeded().Runtime with { Seed = 7 } });
        using var otherContext = FitCombined(new MLContext(seed: 8), Unseeded());
        var weights = Weights(viaContext);
        Assert.IsTrue(SameWeights(weights, Weights(viaOptions)), "MLContext(seed: 7) trains exactly as Runtime.Seed = 7");
        Assert.IsFalse(SameWeights(weights, Weights(otherContext)), "another context seed trains another model");
    }

    [TestMethod]
    public void GpuDeviceIdAsksForThatGpuAndFallbackToCpuAllowsTheCpu()
    {
        var auto = Options() with { Runtime = Options().Runtime with { Device = "auto" } };
        Assert.AreEqual(0, TorchContext.CudaDeviceCount(), "these tests run on a CPU-only TorchSharp");

        var strict = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TextPipeline(strict).Append(strict.PostTraining.JointPostTrain(auto)).Fit(Combined(strict)));
        StringAssert.Contains(e.Message, "GpuDeviceId is 0");
        StringAssert.Contains(e.Message, "FallbackToCpu");

        // An explicit device wins over the context's GPU.
        var cpu = strict.PostTraining.JointPostTrain(Options()).Options.Runtime;
        Assert.AreEqual(("cpu", false), (cpu.Device, cpu.AllowCpuFallback));

        var lenient = new MLContext(seed: 1) { GpuDeviceId = 3, FallbackToCpu = true };
        var resolved = lenient.PostTraining.JointPostTrain(auto).Options.Runtime;
        Assert.AreEqual(("cuda:3", true), (resolved.Device, resolved.AllowCpuFallback));
        lenient.GpuDeviceId = 0;
        using var model = FitCombined(lenient, auto);
        Assert.AreEqual(DeviceType.CPU, model.Policy.Device.type);
        Assert.AreEqual("cuda:0", model.Device);
        Assert.IsGreaterThan(0, model.Summary.Steps);

        var negative = new MLContext { GpuDeviceId = -1 };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => negative.PostTraining.JointPostTrain(auto)).Message, "GpuDeviceId");
    }

    [TestMethod]
    public void CancelExecutionStopsAFitBetweenStepsAndTheCheckpointsResume()
    {
        using var dir = new TempDirectory();
        var checkpoints = dir.File("checkpoints");
        var options = Options() with { Checkpoints = new CheckpointOptions { Directory = checkpoints, Interval = 1, Keep = 2 } };

        var ml = new MLContext(seed: 1);
        var steps = new List<int>();
        var progress = new SyncProgress<TrainingProgress>(p =>
        {
            steps.Add(p.Step);
            if (p.Step == 3) ml.PostTraining.CancelExecution();
        });
        Assert.Throws<OperationCanceledException>(() => FitCombined(ml, options, progress));
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, steps, "no step runs after the cancellation");

        // The checkpoints of steps 2 and 3 (Keep = 2) are complete; nothing of a later step exists.
        var folders = Directory.GetDirectories(checkpoints, "checkpoint-*").Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(new[] { "checkpoint-0000002", "checkpoint-0000003" }, folders.Select(Path.GetFileName).ToArray());
        foreach (var folder in folders)
        {
            foreach (var file in new[] { "state.json", "trainable.safetensors", "optimizer.safetensors" })
                Assert.IsTrue(File.Exists(Path.Combine(folder, file)), $"{folder} lacks {file}");
            var state = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "state.json")))!.AsObject();
            var step = state.First(p => p.Key.Equals("Step", StringComparison.OrdinalIgnoreCase)).Value!.GetValue<int>();
            Assert.AreEqual(int.Parse(Path.GetFileName(folder)["checkpoint-".Length..], CultureInfo.InvariantCulture), step);
        }

        // A fresh fit resumes from the last one and ends where an uninterrupted run ends.
        var resumedSteps = new List<int>();
        var resume = options with { Checkpoints = options.Checkpoints with { ResumeFrom = folders[^1] } };
        using var resumed = FitCombined(new MLContext(seed: 1), resume, new SyncProgress<TrainingProgress>(p => resumedSteps.Add(p.Step)));
        // 20 instruction rows, 20% held out: 16 in batches of 8 for 2 epochs = 4 steps.
        CollectionAssert.AreEqual(new[] { 4 }, resumedSteps);
        using var uninterrupted = FitCombined(new MLContext(seed: 1), Options());
        Assert.AreEqual((4, 4), (uninterrupted.Summary.Steps, resumed.Summary.Steps));
        Assert.IsTrue(SameWeights(Weights(uninterrupted), Weights(resumed)), "cancel + resume trains the same weights as one run");
        var again = new MLContext(seed: 1);
        var metrics = again.PostTraining.Evaluate(TextPipeline(again).Fit(Combined(again)).Append(resumed), Combined(again));
        Assert.IsTrue(double.IsFinite(metrics.FDpo), "the resumed model kept its DPO reference");
    }

    [TestMethod]
    public void ThePlainArgumentOverloadMakesTheSameOptionsAsTheOptionsOverload()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("base");
        using (var model = CausalLm.Create(CausalLmConfig.CreateGptNeoX(vocabSize: 258, hiddenSize: 16, numLayers: 1, numHeads: 2, eosTokenId: 256)))
            model.SavePretrained(folder, CausalLmTokenizer.CreateByteLevel());
        var ml = new MLContext(seed: 5);
        var lora = new LoraOptions { Rank = 2, Alpha = 4 };

        var plain = ml.PostTraining.JointPostTrain(folder, JointStrategy.MaxRight, lambda: 0.3, beta: 0.2, epochs: 3, lora: lora);
        var full = ml.PostTraining.JointPostTrain(new JointPostTrainOptions
        {
            BaseModel = folder,
            Strategy = new StrategyOptions { Kind = JointStrategy.MaxRight, Lambda = 0.3, Epochs = 3 },
            Dpo = new DpoLossOptions { Beta = 0.2 },
            Lora = lora,
        });
        Assert.AreEqual(full.Options, plain.Options);
        Assert.AreEqual(5, plain.Options.Runtime.Seed, "the context's conventions apply to both");

        var defaults = ml.PostTraining.JointPostTrain(folder).Options;
        Assert.AreEqual(ml.PostTraining.JointPostTrain(new JointPostTrainOptions { BaseModel = folder }).Options, defaults);
        Assert.AreNotEqual(full.Options, defaults);
        Assert.AreEqual((JointStrategy.AlRight, 0.5, 0.1, 1), (defaults.Strategy.Kind, defaults.Strategy.Lambda, defaults.Dpo.Beta, defaults.Strategy.Epochs));
        Assert.IsNull(defaults.Lora);
    }

    [TestMethod]
    public void AValidationViewHoldsOutItsRowsAndEveryTrainingRowIsTrainedOn()
    {
        var ml = new MLContext(seed: 1);
        var validationInstructions = Enumerable.Range(0, 6).Select(i => new Instruction($"Shade {i}?", $"{Colors[(i + 2) % 6]}.")).ToArray();
        var validationPreferences = Enumerable.Range(0, 5).Select(i => new Preference($"Welcome {i}", "Hi there!", "leave")).ToArray();
        var train = Combined(ml, instructions: 16, preferences: 8);
        var validation = ml.PostTraining.CombineData(ml.Data.LoadFromEnumerable(validationInstructions), ml.Data.LoadFromEnumerable(validationPreferences));
        var text = TextPipeline(ml).Fit(train);
        // Half of each set would be held out without a validation view: 8 instruction rows, one batch an epoch.
        var options = Options() with { Evaluation = new EvaluationOptions { Interval = 5, Fraction = 0.5 } };

        using var model = ml.PostTraining.JointPostTrain(options).Fit(text.Transform(train), text.Transform(validation));
        Assert.AreEqual(2 * 2, model.Summary.Steps, "16 instruction rows in batches of 8 for 2 epochs: all of them are trained on");
        var final = model.Summary.Final;
        Assert.AreEqual((6, 5), (final.InstructionRows, final.PreferenceRows));
        var independent = ml.PostTraining.Evaluate(model, text.Transform(validation), batchSize: options.Evaluation.BatchSize);
        Assert.AreEqual((6, 5), (independent.InstructionRows, independent.PreferenceRows));
        foreach (var (name, held, again) in new[]
                 {
                     ("f_SFT", final.FSft, independent.FSft), ("f_DPO", final.FDpo, independent.FDpo), ("token accuracy", final.SftTokenAccuracy, independent.SftTokenAccuracy),
                     ("reward accuracy", final.RewardAccuracy, independent.RewardAccuracy), ("margin", final.RewardMargin, independent.RewardMargin),
                     ("chosen reward", final.ChosenReward, independent.ChosenReward), ("rejected reward", final.RejectedReward, independent.RejectedReward),
                 })
            Assert.AreEqual(again, held, 1e-6, name);

        // Separate instruction and preference views with the same validation view train the same model.
        var instructions = ml.Data.LoadFromEnumerable(Instructions(16));
        var preferences = ml.Data.LoadFromEnumerable(Preferences(8));
        using var separate = ml.PostTraining.JointPostTrain(options).FitSeparate(text.Transform(instructions), text.Transform(preferences), text.Transform(validation));
        Assert.IsTrue(SameWeights(Weights(model), Weights(separate)));

        // Reading two data sets as (train, validation) is refused with the way out.
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.PostTraining.JointPostTrain(options).Fit(text.Transform(instructions), text.Transform(preferences)));
        StringAssert.Contains(e.Message, "FitSeparate");
        var onlyInstructions = ml.Data.LoadFromEnumerable(validationInstructions);
        e = Assert.ThrowsExactly<ArgumentException>(() => ml.PostTraining.JointPostTrain(options).Fit(text.Transform(train), text.Transform(onlyInstructions)));
        StringAssert.Contains(e.Message, "no preference rows");
    }

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
