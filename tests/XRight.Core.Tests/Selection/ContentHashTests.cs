using XRight.Selection;
using XRight.Tests.Training;
using XRight.Training;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class ContentHashTests
{
    [TestMethod]
    public void TheDataHashFollowsEveryTokenTheOrderAndTheEvaluationRows()
    {
        var data = TinyTask.Data();
        var same = ContentHash.OfData(TinyTask.Data());
        Assert.AreEqual(same, ContentHash.OfData(data));

        var swapped = new JointTrainingData
        {
            Instructions = [data.Instructions[1], data.Instructions[0], .. data.Instructions.Skip(2)],
            Preferences = data.Preferences,
            InstructionEvaluation = data.InstructionEvaluation,
            PreferenceEvaluation = data.PreferenceEvaluation,
        };
        var oneToken = new JointTrainingData
        {
            Instructions = data.Instructions,
            Preferences = [.. data.Preferences.Take(15), data.Preferences[15] with { Rejected = [.. data.Preferences[15].Rejected[..^1], 3] }],
            InstructionEvaluation = data.InstructionEvaluation,
            PreferenceEvaluation = data.PreferenceEvaluation,
        };
        var noEvaluation = new JointTrainingData { Instructions = data.Instructions, Preferences = data.Preferences };
        var emptyEvaluation = new JointTrainingData { Instructions = data.Instructions, Preferences = data.Preferences, InstructionEvaluation = [], PreferenceEvaluation = [] };
        var hashes = new[] { same, ContentHash.OfData(swapped), ContentHash.OfData(oneToken), ContentHash.OfData(noEvaluation), ContentHash.OfData(emptyEvaluation) };
        Assert.HasCount(hashes.Length, hashes.Distinct(), "row order, one token and given (or empty) evaluation rows each change the hash");
    }

    [TestMethod]
    public void TheFolderHashFollowsFileNamesAndBytesAndSkipsDotEntries()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "sub"));
        File.WriteAllBytes(Path.Combine(dir.Path, "config.json"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(dir.Path, "sub", "tokenizer.json"), [4]);
        var before = ContentHash.OfFolder(dir.Path);

        Directory.CreateDirectory(Path.Combine(dir.Path, ".git"));
        File.WriteAllBytes(Path.Combine(dir.Path, ".git", "HEAD"), [9]);
        Assert.AreEqual(before, ContentHash.OfFolder(dir.Path), ".git is not part of the model");

        File.WriteAllBytes(Path.Combine(dir.Path, "sub", "tokenizer.json"), [5]);
        var changedByte = ContentHash.OfFolder(dir.Path);
        File.Move(Path.Combine(dir.Path, "sub", "tokenizer.json"), Path.Combine(dir.Path, "sub", "vocab.json"));
        var renamed = ContentHash.OfFolder(dir.Path);
        Assert.HasCount(3, new[] { before, changedByte, renamed }.Distinct());
        Assert.AreEqual(ContentHash.OfFiles([new("config.json", [1, 2, 3]), new("sub/vocab.json", [5])]), ContentHash.OfFiles([new("sub/vocab.json", [5]), new("config.json", [1, 2, 3])]));
        Assert.AreNotEqual(ContentHash.Combine("ab", "c"), ContentHash.Combine("a", "bc"));
    }

    [TestMethod]
    public void TheModelHashFollowsTheWeights()
    {
        using var a = TinyTask.Model(seed: 1);
        using var b = TinyTask.Model(seed: 1);
        using var c = TinyTask.Model(seed: 2);
        Assert.AreEqual(ContentHash.OfModel(a), ContentHash.OfModel(b));
        Assert.AreNotEqual(ContentHash.OfModel(a), ContentHash.OfModel(c));
    }
}
