using Microsoft.ML;
using XRight.Text;

namespace XRight.Tests.MLNet;

[TestClass]
public sealed class TextStagesFreshProcessTests
{
    private sealed record Row(string Prompt, string Response, string Chosen, string Rejected);

    [TestMethod]
    public void TextStagesGiveIdenticalOutputInAnotherProcess()
    {
        var ml = new MLContext();
        Row[] rows = [new("Say hi", "Hi!\n", "", ""), new("Pick one", "", "the first", "the second"), new("", "orphan", "", "")];
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Text.FormatPrompt(template: PromptTemplate.Llama3)
            .Append(ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(), maxLength: 48))
            .Fit(data);
        using var dir = new TempDirectory();
        var zip = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, zip);

        var expected = ModelZipRows.Read(model.Transform(data)).Select(r => r.ToJsonString()).ToArray();
        var actual = FreshProcess.Transform(zip, rows, dir.Path).Select(r => r.ToJsonString()).ToArray();
        CollectionAssert.AreEqual(expected, actual);
        StringAssert.Contains(actual[0], "\"PromptTokens\":[");
    }
}
