using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.MLNet;
using XRight.Training;
using static XRight.Tests.MLNet.PostTrainingFixture;

namespace XRight.Tests.MLNet;

/// <summary><c>mlContext.PostTraining.Evaluate(scored)</c>: the metrics read from the columns a fitted model adds, as ML.NET's evaluators read a transformed view.</summary>
[TestClass]
public sealed class ScoredEvaluationTests
{
    /// <summary>A row as a post-trained model scores it (NaN where the row has no tokens of a kind).</summary>
    public sealed class ScoredRow
    {
        public string Kind { get; set; } = "";
        [VectorType] public int[] ResponseTokens { get; set; } = [];
        public bool TokensFit { get; set; } = true;
        public float ResponseLogLikelihood { get; set; } = float.NaN;
        public float ResponseTokenAccuracy { get; set; } = float.NaN;
        public float ChosenReward { get; set; } = float.NaN;
        public float RejectedReward { get; set; } = float.NaN;
        public bool PreferenceCorrect { get; set; }
    }

    private static void AssertSameMetrics(HeldOutMetrics expected, HeldOutMetrics actual, double tolerance)
    {
        Assert.AreEqual((expected.InstructionRows, expected.PreferenceRows), (actual.InstructionRows, actual.PreferenceRows));
        foreach (var (name, e, a) in new[]
                 {
                     ("f_SFT", expected.FSft, actual.FSft), ("f_DPO", expected.FDpo, actual.FDpo), ("token accuracy", expected.SftTokenAccuracy, actual.SftTokenAccuracy),
                     ("reward accuracy", expected.RewardAccuracy, actual.RewardAccuracy), ("margin", expected.RewardMargin, actual.RewardMargin),
                     ("chosen reward", expected.ChosenReward, actual.ChosenReward), ("rejected reward", expected.RejectedReward, actual.RejectedReward),
                 })
            Assert.AreEqual(e, a, tolerance, name);
    }

    [TestMethod]
    public void ScoredDataGivesTheCoreEvaluationOfTheSameModel()
    {
        var ml = new MLContext(seed: 1);
        var data = Combined(ml, instructions: 20, preferences: 12);
        using var model = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(Options(JointStrategy.Mix))).Fit(data);

        var core = ml.PostTraining.Evaluate(model, data, dpoOptimum: 0.1, sftOptimum: 0.5);
        var scored = ml.PostTraining.Evaluate(model.Transform(data), dpoOptimum: 0.1, sftOptimum: 0.5);
        Assert.AreEqual((20, 12), (scored.InstructionRows, scored.PreferenceRows));
        AssertSameMetrics(core, scored, 1e-5);
        Assert.IsTrue(scored.SftTokenAccuracy is > 0 and <= 1);
        Assert.AreEqual(scored.FDpo - 0.1, scored.DpoGap!.Value, 1e-12);
        Assert.AreEqual(scored.FSft - 0.5, scored.SftGap!.Value, 1e-12);
        Assert.AreEqual(Math.Sqrt(Math.Pow(scored.FDpo - 0.1, 2) + Math.Pow(scored.FSft - 0.5, 2)), scored.IdealDistance!.Value, 1e-12);

        // Only instruction rows, or only preference rows: the other objective is NaN with no rows.
        var instructions = ml.PostTraining.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(Instructions(6))));
        Assert.AreEqual((6, 0), (instructions.InstructionRows, instructions.PreferenceRows));
        Assert.IsTrue(double.IsNaN(instructions.FDpo) && double.IsFinite(instructions.FSft));
        Assert.IsNull(instructions.IdealDistance);
    }

    [TestMethod]
    public void ScoredDataMetricsMatchAHandComputation()
    {
        var ml = new MLContext();
        var rows = new[]
        {
            new ScoredRow { Kind = "sft", ResponseTokens = [1, 2, 3, 4], ResponseLogLikelihood = -8f, ResponseTokenAccuracy = 0.5f },
            new ScoredRow { Kind = "sft", ResponseTokens = [5, 6], ResponseLogLikelihood = -1f, ResponseTokenAccuracy = 1f },
            new ScoredRow { Kind = "dpo", ChosenReward = 1f, RejectedReward = 0f, PreferenceCorrect = true },
            new ScoredRow { Kind = "dpo", ChosenReward = -0.5f, RejectedReward = 0.5f, PreferenceCorrect = false },
            // Left out: a row that did not fit its token budget, and one without scores of its kind.
            new ScoredRow { Kind = "sft", ResponseTokens = [7], TokensFit = false, ResponseLogLikelihood = -100f, ResponseTokenAccuracy = 0f },
            new ScoredRow { Kind = "dpo" },
        };
        var metrics = ml.PostTraining.Evaluate(ml.Data.LoadFromEnumerable(rows), dpoOptimum: 0.5, sftOptimum: 1.0);

        double fDpo = (Math.Log(1 + Math.Exp(-1)) + Math.Log(1 + Math.Exp(1))) / 2; // −log σ(1) and −log σ(−1)
        var expected = new HeldOutMetrics(FSft: (8.0 + 1.0) / 6, FDpo: fDpo, SftTokenAccuracy: (0.5 * 4 + 1 * 2) / 6.0, RewardAccuracy: 0.5,
            RewardMargin: 0, ChosenReward: 0.25, RejectedReward: 0.25, InstructionRows: 2, PreferenceRows: 2);
        AssertSameMetrics(expected, metrics, 1e-12);
        Assert.AreEqual(0.5, metrics.SftGap!.Value, 1e-12);
        Assert.AreEqual(fDpo - 0.5, metrics.DpoGap!.Value, 1e-12);
        Assert.AreEqual(Math.Sqrt(0.25 + Math.Pow(fDpo - 0.5, 2)), metrics.IdealDistance!.Value, 1e-12);
        Assert.IsInstanceOfType<HeldOutMetrics>(metrics, "one metrics record: the ML.NET result extends the core's");
    }

    [TestMethod]
    public void UnscoredDataAndUnknownKindsAreClearErrors()
    {
        var ml = new MLContext();
        var raw = Combined(ml);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.PostTraining.Evaluate(raw)).Message, "model.Transform");
        var odd = ml.Data.LoadFromEnumerable(new[] { new ScoredRow { Kind = "rl", ChosenReward = 1, RejectedReward = 0 } });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.PostTraining.Evaluate(odd)).Message, "'rl'");
    }
}
