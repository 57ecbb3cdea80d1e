using Microsoft.ML;
using XRight.MLNet;
using static XRight.Tests.MLNet.PostTrainingFixture;

namespace XRight.Tests.MLNet;

[TestClass]
public sealed class EmptyAfterValidationTests
{
    [TestMethod]
    public void EveryPreferenceRowTooLongSaysHowManyAndTheLimit()
    {
        var ml = new MLContext(seed: 1);
        var longPreferences = Enumerable.Range(0, 12).Select(i => new Preference($"Tell me about color {i}", new string('a', 80), new string('b', 80))).ToArray();
        var data = ml.PostTraining.CombineData(ml.Data.LoadFromEnumerable(Instructions(10)), ml.Data.LoadFromEnumerable(longPreferences));
        var pipeline = TextPipeline(ml, maxLength: 48).Append(ml.PostTraining.JointPostTrain(Options()));

        var error = Assert.ThrowsExactly<ArgumentException>(() => pipeline.Fit(data));

        StringAssert.Contains(error.Message, "Preference set is empty after validation: 12 rows read, 12 skipped: 12 too long (limit 48 tokens)");
    }

    [TestMethod]
    public void EveryInstructionRowInvalidSaysWhy()
    {
        var ml = new MLContext(seed: 1);
        var empty = Enumerable.Range(0, 5).Select(i => new Instruction($"Greet {i}", " ")).ToArray();
        var data = ml.PostTraining.CombineData(ml.Data.LoadFromEnumerable(empty), ml.Data.LoadFromEnumerable(Preferences(10)));
        var pipeline = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(Options()));

        var error = Assert.ThrowsExactly<ArgumentException>(() => pipeline.Fit(data));

        StringAssert.Contains(error.Message, "Instruction set is empty after validation: 5 rows read, 5 skipped: 5 empty response");
    }
}
