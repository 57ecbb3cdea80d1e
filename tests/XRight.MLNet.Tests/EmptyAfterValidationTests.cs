using Microsoft.ML;
using XRight.Data;
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

[TestClass]
public sealed class CombinedRowOriginTests
{
    [TestMethod]
    public void StrictErrorsAfterCombineDataNameTheSourceFileAndItsOwnRow()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDirectory();
        var file = dir.File("pairs.jsonl");
        var lines = Preferences(6).Select((p, i) => System.Text.Json.JsonSerializer.Serialize(new { prompt = p.Prompt, chosen = p.Chosen, rejected = i == 2 ? p.Chosen : p.Rejected }));
        File.WriteAllLines(file, lines);
        var pairs = new JsonLinesOptions { ColumnNames = new Dictionary<string, string> { ["prompt"] = "Prompt", ["chosen"] = "Chosen", ["rejected"] = "Rejected" } };
        var data = ml.PostTraining.CombineData(ml.Data.LoadFromEnumerable(Instructions(12)), ml.Data.LoadFromJsonLines(file, pairs));
        var pipeline = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(Options() with { StrictData = true }));

        var error = Assert.ThrowsExactly<InvalidDataException>(() => pipeline.Fit(data));

        StringAssert.Contains(error.Message, $"'{file}', row 3,");
        Assert.IsFalse(error.Message.Contains("row 15"), error.Message);
    }

    [TestMethod]
    public void InMemoryPreferenceRowsAreNamedByTheirOwnRow()
    {
        var ml = new MLContext(seed: 1);
        var preferences = Preferences(6).Select((p, i) => i == 2 ? p with { Rejected = p.Chosen } : p);
        var data = ml.PostTraining.CombineData(ml.Data.LoadFromEnumerable(Instructions(12)), ml.Data.LoadFromEnumerable(preferences));
        var pipeline = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(Options() with { StrictData = true }));

        var error = Assert.ThrowsExactly<InvalidDataException>(() => pipeline.Fit(data));

        StringAssert.Contains(error.Message, "in-memory data (preference data), row 3,");
    }
}
