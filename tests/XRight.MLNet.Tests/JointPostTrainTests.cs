using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.MLNet;
using XRight.Training;
using static XRight.Tests.MLNet.PostTrainingFixture;

namespace XRight.Tests.MLNet;

[TestClass]
public sealed class JointPostTrainTests
{
    public sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    public sealed class Completion
    {
        public string Response { get; set; } = "";
    }

    public sealed class Scored
    {
        public float ChosenLogLikelihood { get; set; }
        public float RejectedLogLikelihood { get; set; }
        public float ChosenReward { get; set; }
        public float RejectedReward { get; set; }
        public bool PreferenceCorrect { get; set; }
    }

    [TestMethod]
    public void PipelineFitsGeneratesScoresAndRoundTripsThroughAZipInAnotherProcess()
    {
        var ml = new MLContext(seed: 1);
        var data = Combined(ml);
        var pipeline = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(Options()));
        var model = pipeline.Fit(data);
        var trained = model.LastTransformer;

        // 30 instruction rows, 20% held out: 24 train, 3 batches an epoch; 2 epochs = 6 ALRIGHT steps.
        Assert.AreEqual(6, trained.Summary.Steps);
        StringAssert.Contains(trained.Summary.InstructionData, "30 rows read, 30 kept");
        Assert.AreEqual(1, trained.Summary.Trajectory[0].Step);

        // Generation through a prediction engine (prompt only), and scoring of preference rows.
        var engine = ml.Model.CreatePredictionEngine<PromptRow, Completion>(model);
        var answer = engine.Predict(new PromptRow { Prompt = "Color 1?" }).Response;
        Assert.IsNotNull(answer);
        var preferences = ml.Data.LoadFromEnumerable(Preferences(3));
        var scored = ml.Data.CreateEnumerable<Scored>(model.Transform(preferences), false).ToArray();
        foreach (var row in scored)
        {
            Assert.IsTrue(float.IsFinite(row.ChosenLogLikelihood) && row.ChosenLogLikelihood < 0);
            Assert.AreEqual(row.ChosenReward > row.RejectedReward, row.PreferenceCorrect);
        }

        // The implicit reward is β·(log π − log π_ref), with π_ref = the policy without adapters here.
        using (trained.Policy.DisableLora())
        {
            var reference = ml.Data.CreateEnumerable<Scored>(model.Transform(preferences), false).ToArray();
            for (int i = 0; i < scored.Length; i++)
                Assert.AreEqual(trained.Beta * (scored[i].ChosenLogLikelihood - reference[i].ChosenLogLikelihood), scored[i].ChosenReward, 1e-3);
        }

        using var dir = new TempDirectory();
        var zip = dir.File("post-trained.zip");
        ml.Model.Save(model, data.Schema, zip);
        var rows = new object[] { new { Prompt = "Color 2?" }, new { Prompt = "Greet 3" } };
        var inputs = ml.Data.LoadFromEnumerable(new[] { new PromptRow { Prompt = "Color 2?" }, new PromptRow { Prompt = "Greet 3" } });
        var expected = ModelZipRows.Read(model.Transform(inputs)).Select(r => r.ToJsonString()).ToArray();

        var fresh = new MLContext();
        var loaded = fresh.PostTraining.LoadModel(zip, out _);
        var loadedStage = ((IEnumerable<ITransformer>)loaded).OfType<JointPostTrainTransformer>().Single();
        Assert.AreEqual(trained.Summary with { Trajectory = null! }, loadedStage.Summary with { Trajectory = null! }, "the run summary and data reports survive the zip");
        CollectionAssert.AreEqual(trained.Summary.Trajectory.ToArray(), loadedStage.Summary.Trajectory.ToArray());
        var sameProcess = ModelZipRows.Read(loaded.Transform(inputs)).Select(r => r.ToJsonString()).ToArray();
        CollectionAssert.AreEqual(expected, sameProcess);
        var otherProcess = FreshProcess.Transform(zip, rows, dir.Path).Select(r => r.ToJsonString()).ToArray();
        CollectionAssert.AreEqual(expected, otherProcess);
        Assert.IsTrue(JsonNode.Parse(expected[0])!["Response"] is not null);
    }

    [TestMethod]
    public void EvaluateAgreesWithThePerRowColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = Combined(ml, instructions: 20, preferences: 12);
        var model = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(Options(JointStrategy.Mix))).Fit(data);
        var metrics = ml.PostTraining.Evaluate(model, data, dpoOptimum: 0.1, sftOptimum: 0.5);
        Assert.AreEqual(20, metrics.InstructionRows);
        Assert.AreEqual(12, metrics.PreferenceRows);

        // f_DPO from the reward columns: mean −log σ(r_c − r_r); f_SFT from log-likelihoods and token counts.
        var scored = model.Transform(data);
        var kinds = scored.GetColumn<string>("Kind").ToArray();
        var chosen = scored.GetColumn<float>(JointPostTrainTransformer.ChosenRewardColumn).ToArray();
        var rejected = scored.GetColumn<float>(JointPostTrainTransformer.RejectedRewardColumn).ToArray();
        var loglik = scored.GetColumn<float>(JointPostTrainTransformer.ResponseLogLikelihoodColumn).ToArray();
        var tokens = scored.GetColumn<VBuffer<int>>("ResponseTokens").Select(v => v.Length).ToArray();
        double dpo = 0, nll = 0, count = 0;
        for (int i = 0; i < kinds.Length; i++)
        {
            if (kinds[i] == "dpo") dpo += Math.Log(1 + Math.Exp(-(chosen[i] - rejected[i])));
            else { nll -= loglik[i]; count += tokens[i]; }
        }
        Assert.AreEqual(dpo / 12, metrics.FDpo, 1e-4);
        Assert.AreEqual(nll / count, metrics.FSft, 1e-4);
        Assert.AreEqual(metrics.FDpo - 0.1, metrics.DpoGap!.Value, 1e-12);
        Assert.AreEqual(Math.Sqrt(Math.Pow(metrics.FDpo - 0.1, 2) + Math.Pow(metrics.FSft - 0.5, 2)), metrics.IdealDistance!.Value, 1e-12);
    }

    [TestMethod]
    public void SeparateViewsAndSkippedRowsAreCounted()
    {
        var ml = new MLContext(seed: 1);
        var instructions = ml.Data.LoadFromEnumerable(Instructions(16).Append(new Instruction("empty answer", " ")).Append(new Instruction("long", new string('x', 200))));
        var preferences = ml.Data.LoadFromEnumerable(Preferences(10).Append(new Preference("same", "a", "a")));
        var text = TextPipeline(ml);
        var estimator = ml.PostTraining.JointPostTrain(Options());
        using var model = estimator.FitSeparate(text.Fit(instructions).Transform(instructions), text.Fit(preferences).Transform(preferences));
        Assert.AreEqual("18 rows read, 16 kept, 2 skipped: 1 empty response, 1 too long", model.Summary.InstructionData);
        Assert.AreEqual("11 rows read, 10 kept, 1 skipped: 1 chosen == rejected", model.Summary.PreferenceData);

        var strict = Options() with { StrictData = true };
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.PostTraining.JointPostTrain(strict).FitSeparate(text.Fit(instructions).Transform(instructions), text.Fit(preferences).Transform(preferences)));
        StringAssert.Contains(e.Message, "row 17");
    }

    [TestMethod]
    public void MissingTokenColumnsAndBadOptionsAreClearErrors()
    {
        var ml = new MLContext();
        var raw = Combined(ml);
        var e = Assert.Throws<ArgumentException>(() => ml.PostTraining.JointPostTrain(Options()).Fit(raw));
        StringAssert.Contains(e.Message, "TokenizeForCausalLm");
        var bad = Options();
        bad = bad with { Strategy = bad.Strategy with { Lambda = -1 } };
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.PostTraining.JointPostTrain(bad)).Message, "Lambda");
        var none = Options() with { BaseModelConfig = null };
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.PostTraining.JointPostTrain(none)).Message, "exactly one of BaseModel");
    }
}
