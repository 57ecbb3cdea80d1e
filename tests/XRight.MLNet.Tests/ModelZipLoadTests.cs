using System.IO.Compression;
using System.Reflection;
using Microsoft.ML;
using XRight.MLNet;
using static XRight.Tests.MLNet.PostTrainingFixture;

namespace XRight.Tests.MLNet;

[TestClass]
public sealed class ModelZipLoadTests
{
    private static string[] ScratchFolders() => Directory.GetDirectories(Path.GetTempPath(), "ml_dotnet*");

    [TestMethod]
    public void AMissingFileNamesThePath()
    {
        using var dir = new TempDirectory();
        var path = dir.File("absent.zip");
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => new MLContext().PostTraining.LoadModel(path, out _));
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    [DataRow("not a zip at all")]
    [DataRow("")]
    public void ANonZipFileNamesThePathAndLeavesNoScratchFolder(string content)
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.zip");
        File.WriteAllText(path, content);
        var before = ScratchFolders();

        var error = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().PostTraining.LoadModel(path, out _));

        StringAssert.Contains(error.Message, path);
        CollectionAssert.IsSubsetOf(ScratchFolders(), before, "no ML.NET scratch folder is left behind");
    }

    [TestMethod]
    public void TruncatedOrCorruptZipsThrowTheRealExceptionNamingThePath()
    {
        var ml = new MLContext(seed: 1);
        var data = Combined(ml, instructions: 8, preferences: 4);
        var options = Options(JointStrategy.Mix) with { Strategy = new() { Kind = JointStrategy.Mix, Lambda = 0.5, Epochs = 1 } };
        var model = TextPipeline(ml).Append(ml.PostTraining.JointPostTrain(options)).Fit(data);
        using var dir = new TempDirectory();
        var zip = dir.File("good.zip");
        ml.Model.Save(model, data.Schema, zip);
        var bytes = File.ReadAllBytes(zip);
        var before = ScratchFolders();

        // Cut short: the zip directory at the end is gone.
        var cut = dir.File("cut.zip");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var cutError = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().PostTraining.LoadModel(cut, out _));
        StringAssert.Contains(cutError.Message, cut);

        // A valid zip whose largest stream (the weights) is cut short inside.
        var inner = dir.File("inner.zip");
        File.Copy(zip, inner);
        using (var archive = ZipFile.Open(inner, ZipArchiveMode.Update))
        {
            var largest = archive.Entries.OrderByDescending(e => e.Length).First();
            var name = largest.FullName;
            byte[] content;
            using (var s = largest.Open()) { using var m = new MemoryStream(); s.CopyTo(m); content = m.ToArray(); }
            largest.Delete();
            using var w = archive.CreateEntry(name).Open();
            w.Write(content, 0, content.Length / 2);
        }
        var innerError = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().PostTraining.LoadModel(inner, out _));
        StringAssert.Contains(innerError.Message, inner);
        Assert.IsNotInstanceOfType<TargetInvocationException>(innerError.InnerException, "the loader's exception is not wrapped");

        CollectionAssert.IsSubsetOf(ScratchFolders(), before, "no ML.NET scratch folder is left behind");
        CollectionAssert.AreEqual(bytes, File.ReadAllBytes(zip));
        Assert.IsNotNull(new MLContext().PostTraining.LoadModel(zip, out _), "the good zip still loads");
    }
}
