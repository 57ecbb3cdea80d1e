using XRight.Training;
using Microsoft.ML;
using XRight.MLNet;
using XRight.Text;
using XRight.TextStages;

namespace XRight.Tests.MLNet;

/// <summary>How the trainer reads conversational rows: loss masks through CombineData, and the truncated-prompt count.</summary>
[TestClass]
public sealed class ConversationRowsTests
{
    private sealed record Instruction(string Messages);
    private sealed record Preference(string Prompt, string Chosen, string Rejected);

    [TestMethod]
    public void MasksSurviveCombineDataAndTruncatedPromptsAreCounted()
    {
        var ml = new MLContext(seed: 1);
        var sft = ml.Data.LoadFromEnumerable(new[]
        {
            new Instruction(ChatMessageJson.Format([new("user", "Hi"), new("assistant", "Yo"), new("user", "Ok"), new("assistant", "No")])),
            new Instruction(ChatMessageJson.Format([new("user", "Q"), new("assistant", "A")])),
        });
        var dpo = ml.Data.LoadFromEnumerable(new[] { new Preference(new string('p', 40), "yes", "no"), new Preference("q", "yes", "no") });
        var sftText = ml.Transforms.Text.ApplyChatTemplate(assistantOnlyLoss: true).Fit(sft).Transform(sft);
        var dpoText = ml.Transforms.Text.FormatPrompt().Fit(dpo).Transform(dpo);
        var combined = ml.PostTraining.CombineData(sftText, dpoText);
        var tokenized = ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(),
            new TokenizeForCausalLmOptions { MaxLength = 48, MinPromptTokens = 4 }).Fit(combined).Transform(combined);

        var rows = PostTrainingRowReader.Read(tokenized, PostTrainingColumnNames.Default, strict: false);
        Assert.AreEqual(2, rows.Instructions.Count);
        // "Yo\nUser: Ok\nAssistant: No " + EOS: "Yo" (0-1), "No" (23-24), " " and EOS (25-26) are targets.
        var mask = rows.Instructions[0].LossMask!;
        Assert.AreEqual(27, mask.Length);
        CollectionAssert.AreEqual(new[] { 0, 1, 23, 24, 25, 26 }, Enumerable.Range(0, 27).Where(i => mask[i]).ToArray());
        Assert.IsNull(rows.Instructions[1].LossMask, "one assistant turn: every response token is a target");

        // The instruction rows fit (20 + 27 = 47 tokens); the 40-character prompt ("User: " + 40 + "\nAssistant: " = 58 bytes)
        // is cut to 48 − 5 = 43 tokens, its end kept; the other fits.
        Assert.AreEqual(20, rows.Instructions[0].Prompt.Length);
        Assert.AreEqual(43, rows.Preferences[0].Prompt.Length);
        Assert.AreEqual(1, rows.PreferenceReport.PromptsTruncated);
        Assert.AreEqual(0, rows.InstructionReport.PromptsTruncated);
        Assert.AreEqual("2 rows read, 2 kept (1 with the prompt truncated), 0 skipped", rows.PreferenceReport.ToString());
        Assert.AreEqual("2 rows read, 2 kept, 0 skipped", rows.InstructionReport.ToString());
    }
}

/// <summary>A fit on conversational data with assistant-only loss, end to end.</summary>
[TestClass]
public sealed class ConversationalFitTests
{
    private sealed record Chat(string Messages);

    [TestMethod]
    public void AssistantOnlyConversationsTrainAndEvaluateOnTheirAssistantTurns()
    {
        var ml = new MLContext(seed: 3);
        var colors = PostTrainingFixture.Colors;
        var chats = Enumerable.Range(0, 20).Select(i => new Chat(ChatMessageJson.Format(
        [
            new("user", $"C{i % 6}?"), new("assistant", colors[i % 6]), new("user", "And?"), new("assistant", colors[(i + 1) % 6]),
        ]))).ToArray();
        var sft = ml.Transforms.Text.ApplyChatTemplate(assistantOnlyLoss: true).Fit(ml.Data.LoadFromEnumerable(chats)).Transform(ml.Data.LoadFromEnumerable(chats));
        var dpo = ml.Transforms.Text.FormatPrompt().Fit(ml.Data.LoadFromEnumerable(PostTrainingFixture.Preferences())).Transform(ml.Data.LoadFromEnumerable(PostTrainingFixture.Preferences()));
        var data = ml.PostTraining.CombineData(sft, dpo);
        var tokenize = ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(), 64).Fit(data);
        var tokenized = tokenize.Transform(data);
        var options = PostTrainingFixture.Options() with { Strategy = new() { Kind = JointStrategy.AlRight, Lambda = 0.5, Epochs = 1 } };
        var model = ml.PostTraining.JointPostTrain(options).Fit(tokenized);

        Assert.AreEqual("20 rows read, 20 kept, 0 skipped", model.Summary.InstructionData);
        // The held-out f_SFT of the fit is the masked mean over the first 20 % of the rows (4 conversations):
        // evaluating those rows again with the fitted model gives the same number only if the masks are used.
        var rows = PostTrainingRowReader.Read(tokenized, PostTrainingColumnNames.Default, strict: false);
        Assert.IsTrue(rows.Instructions.All(r => r.LossMask is not null && r.LossMask.Count(t => t) < r.Response.Length));
        var heldOut = rows.Instructions.Take(4).ToArray();
        var masked = model.Model.Evaluate(heldOut, [], batchSize: 4).FSft;
        var unmasked = model.Model.Evaluate(heldOut.Select(r => r with { LossMask = null }).ToArray(), [], batchSize: 4).FSft;
        Assert.AreEqual(model.Summary.Final!.FSft, masked, 1e-5);
        Assert.AreNotEqual(masked, unmasked, 1e-3);
    }
}
