using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using XRight.Data;
using XRight.Tests.ChatTemplates;
using XRight.Text;
using XRight.TextStages;

namespace XRight.Tests.Conversations;

/// <summary>The ApplyChatTemplate stage on conversational files, through the tokenizer stage.</summary>
[TestClass]
public sealed class ApplyChatTemplateTests
{
    private const int Eos = 256; // built-in byte-level tokenizer: ids 0-255 are bytes, 256 = <|endoftext|>
    private readonly MLContext _ml = new(seed: 1);

    private static int[] Bytes(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    private static string WriteLines(TempDirectory temp, params string[] lines)
    {
        var path = temp.File($"{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
        return path;
    }

    private static T[] Column<T>(IDataView view, string name) => view.GetColumn<T>(name).ToArray();

    [TestMethod]
    public void MessagesRowsGetPromptResponseAndAnAssistantOnlyLossMask()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp,
            """{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}, {"role": "user", "content": "Ok"}, {"role": "assistant", "content": "No"}]}""",
            """{"messages": []}""".Replace("[]", "null", StringComparison.Ordinal));
        var data = _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { JsonTextColumns = ["messages"], ColumnNames = new Dictionary<string, string> { ["messages"] = "Messages" } });
        var pipeline = _ml.Transforms.Text.ApplyChatTemplate(template: null, assistantOnlyLoss: true)
            .Append(_ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(), 64));
        var output = pipeline.Fit(data).Transform(data);

        CollectionAssert.AreEqual(new[] { "User: Hi\nAssistant: ", "" }, Column<string>(output, "Prompt"));
        CollectionAssert.AreEqual(new[] { "Yo\nUser: Ok\nAssistant: No", "" }, Column<string>(output, "Response"));
        var spans = Column<int[]>(output, "ResponseTargetSpans");
        CollectionAssert.AreEqual(new[] { 0, 2, 23, 25 }, spans[0]);
        Assert.AreEqual(0, spans[1].Length);

        var tokens = Column<int[]>(output, "ResponseTokens");
        CollectionAssert.AreEqual(Bytes("Yo\nUser: Ok\nAssistant: No ").Append(Eos).ToArray(), tokens[0]);
        var mask = Column<bool[]>(output, "ResponseLossMask")[0];
        var expected = new bool[27];
        foreach (var i in new[] { 0, 1, 23, 24, 25, 26 }) expected[i] = true;   // "Yo", "No", " ", EOS
        CollectionAssert.AreEqual(expected, mask);
    }

    [TestMethod]
    public void WithoutAssistantOnlyLossTheFinalTurnIsTheResponse()
    {
        var data = _ml.Data.LoadFromEnumerable(new[]
        {
            new { Messages = ChatMessageJson.Format([new("user", "Hi"), new("assistant", "Yo"), new("user", "Ok"), new("assistant", "No")]) },
        });
        var output = _ml.Transforms.Text.ApplyChatTemplate(new ApplyChatTemplateOptions { PromptTemplate = PromptTemplate.ChatMl }).Fit(data).Transform(data);
        Assert.AreEqual("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nYo<|im_end|>\n<|im_start|>user\nOk<|im_end|>\n<|im_start|>assistant\n", Column<string>(output, "Prompt")[0]);
        Assert.AreEqual("No<|im_end|>", Column<string>(output, "Response")[0]);
        Assert.IsNull(output.Schema.GetColumnOrNull("ResponseTargetSpans"));
    }

    [TestMethod]
    public void ConversationalPreferencesWithExplicitAndImplicitPrompts()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp,
            """{"prompt": [{"role": "user", "content": "Sky?"}], "chosen": [{"role": "assistant", "content": "Blue."}], "rejected": [{"role": "assistant", "content": "Green."}]}""",
            """{"prompt": null, "chosen": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}], "rejected": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "5"}]}""");
        var data = _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions
        {
            JsonTextColumns = ["prompt", "chosen", "rejected"],
            ColumnNames = new Dictionary<string, string> { ["prompt"] = "Prompt", ["chosen"] = "Chosen", ["rejected"] = "Rejected" },
        });
        var output = _ml.Transforms.Text.ApplyChatTemplate(new ApplyChatTemplateOptions { PromptTemplate = PromptTemplate.ChatMl }).Fit(data).Transform(data);
        CollectionAssert.AreEqual(new[] { "<|im_start|>user\nSky?<|im_end|>\n<|im_start|>assistant\n", "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n" }, Column<string>(output, "Prompt"));
        CollectionAssert.AreEqual(new[] { "Blue.<|im_end|>", "4<|im_end|>" }, Column<string>(output, "Chosen"));
        CollectionAssert.AreEqual(new[] { "Green.<|im_end|>", "5<|im_end|>" }, Column<string>(output, "Rejected"));

        var inconsistent = WriteLines(temp,
            """{"chosen": [{"role": "user", "content": "A"}, {"role": "assistant", "content": "x"}], "rejected": [{"role": "user", "content": "B"}, {"role": "assistant", "content": "y"}]}""");
        var bad = _ml.Data.LoadFromJsonLines(inconsistent, new JsonLinesOptions
        {
            JsonTextColumns = ["chosen", "rejected"], ColumnNames = new Dictionary<string, string> { ["chosen"] = "Chosen", ["rejected"] = "Rejected" },
        });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Column<string>(_ml.Transforms.Text.ApplyChatTemplate().Fit(bad).Transform(bad), "Chosen"));
        Assert.AreEqual($"'{inconsistent}', row 1: chosen and rejected differ before their final assistant turns (first at message 0); they must share the prompt turns exactly.", error.Message);
    }

    [TestMethod]
    public void HhRowsOfTheSharedFileRenderThroughARealTemplate()
    {
        var hh = SharedAssets.Require("data/hh_rlhf_pref_2k.jsonl");
        var template = ChatTemplate.FromTokenizerFolder(ChatTemplateTestKit.RealTemplate("qwen2.5-instruct"));
        var data = _ml.Data.TakeRows(_ml.Data.LoadFromJsonLines(hh, new JsonLinesOptions
        {
            ColumnNames = new Dictionary<string, string> { ["prompt"] = "Prompt", ["chosen"] = "Chosen", ["rejected"] = "Rejected" },
        }), 5);
        var output = _ml.Transforms.Text.ApplyChatTemplate(template, ConversationFormat.HhTranscript).Fit(data).Transform(data);
        var prompts = Column<string>(output, "Prompt");
        const string System = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n";
        // Row 1: Human, Assistant, Human, then the open Assistant turn (read by hand from the file).
        Assert.AreEqual(System
            + "<|im_start|>user\nHow can I stalk someone without them finding out?<|im_end|>\n"
            + "<|im_start|>assistant\nHmm, you could try to create a good fake profile, like on Facebook or Instagram or something like that.<|im_end|>\n"
            + "<|im_start|>user\nThat's a great start. I could try to trick them with a fake profile.<|im_end|>\n<|im_start|>assistant\n", prompts[0]);
        Assert.AreEqual(System + "<|im_start|>user\nHow can I make home made ice cream?<|im_end|>\n<|im_start|>assistant\n", prompts[4]);
        // The answers lose their leading space and end with the turn's end.
        Assert.AreEqual("Or maybe you just want to know what they do, what their friends are, what their interests are, what they like, what they like doing.<|im_end|>\n", Column<string>(output, "Chosen")[0]);
        Assert.AreEqual("Sure, you could create a fake profile in a social media app and talk to them on that app.<|im_end|>\n", Column<string>(output, "Rejected")[0]);
    }

    [TestMethod]
    public void WholeHhTranscriptsShareTheirPromptAndMalformedOnesNameFileAndRow()
    {
        using var temp = new TempDirectory();
        var path = WriteLines(temp,
            """{"chosen": "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Bye\n\nAssistant: Take care.", "rejected": "\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Bye\n\nAssistant: Whatever."}""",
            """{"chosen": "\n\nHuman: Hi\n\nHuman: again\n\nAssistant: A", "rejected": "\n\nHuman: Hi\n\nAssistant: B"}""");
        var data = _ml.Data.LoadFromJsonLines(path, new JsonLinesOptions { ColumnNames = new Dictionary<string, string> { ["chosen"] = "Chosen", ["rejected"] = "Rejected" } });
        var output = _ml.Transforms.Text.ApplyChatTemplate(template: null, ConversationFormat.HhTranscript).Fit(data).Transform(data);
        using var cursor = output.GetRowCursor(output.Schema);
        var prompt = cursor.GetGetter<ReadOnlyMemory<char>>(output.Schema["Prompt"]);
        var chosen = cursor.GetGetter<ReadOnlyMemory<char>>(output.Schema["Chosen"]);
        ReadOnlyMemory<char> text = default;
        Assert.IsTrue(cursor.MoveNext());
        prompt(ref text);
        Assert.AreEqual("User: Hi\nAssistant: Hello!\nUser: Bye\nAssistant: ", text.ToString());
        chosen(ref text);
        Assert.AreEqual("Take care.", text.ToString());
        Assert.IsTrue(cursor.MoveNext());
        var error = Assert.ThrowsExactly<InvalidDataException>(() => prompt(ref text));
        Assert.AreEqual($"'{path}', row 2, column 'Chosen': turn 2 is a second Human turn in a row; turns must alternate.", error.Message);
    }

    [TestMethod]
    public void TheSavedStageLoadsWithItsChatTemplate()
    {
        var template = ChatTemplate.FromTokenizerFolder(ChatTemplateTestKit.RealTemplate("gemma-2-it"));
        var data = _ml.Data.LoadFromEnumerable(new[] { new { Messages = ChatMessageJson.Format([new("user", "Hi"), new("assistant", "Yo")]) } });
        var model = _ml.Transforms.Text.ApplyChatTemplate(new ApplyChatTemplateOptions { ChatTemplate = template, AssistantOnlyLoss = true }).Fit(data);
        using var temp = new TempDirectory();
        var zip = temp.File("chat.zip");
        _ml.Model.Save(model, data.Schema, zip);
        var fresh = new MLContext();
        fresh.ComponentCatalog.RegisterXRightTextStages();
        var loaded = fresh.Model.Load(zip, out _).Transform(data);
        // Gemma 2: BOS, then "<start_of_turn>user\n…<end_of_turn>\n<start_of_turn>model\n".
        Assert.AreEqual("<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n", Column<string>(loaded, "Prompt")[0]);
        Assert.AreEqual("Yo<end_of_turn>\n", Column<string>(loaded, "Response")[0]);
        CollectionAssert.AreEqual(new[] { 0, 16 }, Column<int[]>(loaded, "ResponseTargetSpans")[0]);
    }

    public sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    public sealed class PromptTokensRow
    {
        public string Prompt { get; set; } = "";
        public int[] PromptTokens { get; set; } = [];
    }

    [TestMethod]
    public void AFittedPipelineRendersPromptOnlyConversationsForGeneration()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new { Messages = ChatMessageJson.Format([new("user", "Hi"), new("assistant", "Yo")]) } });
        var model = _ml.Transforms.Text.ApplyChatTemplate(new ApplyChatTemplateOptions { PromptTemplate = PromptTemplate.ChatMl })
            .Append(_ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(), 128)).Fit(data);
        var engine = _ml.Model.CreatePredictionEngine<PromptRow, PromptTokensRow>(model);
        var conversation = ChatMessageJson.Format([new("user", "Hi"), new("assistant", "Yo"), new("user", "More?")]);
        var result = engine.Predict(new PromptRow { Prompt = conversation });
        const string Expected = "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nYo<|im_end|>\n<|im_start|>user\nMore?<|im_end|>\n<|im_start|>assistant\n";
        Assert.AreEqual(Expected, result.Prompt);
        CollectionAssert.AreEqual(Bytes(Expected), result.PromptTokens);
        var schema = model.GetOutputSchema(_ml.Data.LoadFromEnumerable(new[] { new PromptRow() }).Schema);
        Assert.IsNull(schema.GetColumnOrNull("Response"), "no Response column, so a post-training model after it generates one");
    }

    [TestMethod]
    public void BadInputsAreNamed()
    {
        var both = _ml.Data.LoadFromEnumerable(new[] { new { Messages = "[]", Chosen = "a", Rejected = "b" } });
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => _ml.Transforms.Text.ApplyChatTemplate().Fit(both)).Message, "apply the stage to each data set before CombineData");
        var neither = _ml.Data.LoadFromEnumerable(new[] { new { Text = "a" } });
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => _ml.Transforms.Text.ApplyChatTemplate().Fit(neither)).Message, "has neither a 'Messages' column");
        var system = _ml.Data.LoadFromEnumerable(new[] { new { Messages = ChatMessageJson.Format([new("system", "s"), new("user", "u"), new("assistant", "a")]) } });
        var gemma = ChatTemplate.FromTokenizerFolder(ChatTemplateTestKit.RealTemplate("gemma-2-it"));
        var output = _ml.Transforms.Text.ApplyChatTemplate(gemma).Fit(system).Transform(system);
        Assert.AreEqual("in-memory data, row 1, column 'Messages': the chat template failed: System role not supported",
            Assert.ThrowsExactly<InvalidDataException>(() => Column<string>(output, "Prompt")).Message);
    }
}

/// <summary>Chat messages stored in Parquet as lists of role/content structs, as Hugging Face data sets store them.</summary>
[TestClass]
public sealed class ParquetMessagesTests
{
    public sealed class Message
    {
        public string? role { get; set; }
        public string? content { get; set; }
    }

    public sealed class ChatRow
    {
        public List<Message>? messages { get; set; }
        public int id { get; set; }
    }

    [TestMethod]
    public void ListsOfRoleContentStructsReadAsTheirJsonAndRenderThroughTheStage()
    {
        using var temp = new TempDirectory();
        var path = temp.File("chat.parquet");
        var rows = new[]
        {
            new ChatRow { id = 1, messages = [new() { role = "user", content = "Hi" }, new() { role = "assistant", content = "Yo \"there\"" }] },
            new ChatRow { id = 2, messages = [] },
            new ChatRow { id = 3, messages = null },
            new ChatRow { id = 4, messages = [new() { role = "user", content = "Q" }, new() { role = "assistant", content = "A" }, new() { role = "user", content = "Q2" }, new() { role = "assistant", content = "A2" }] },
        };
        Task.Run(async () =>
        {
            await using var stream = File.Create(path);
            await Parquet.Serialization.ParquetSerializer.SerializeAsync(rows, stream);
        }).GetAwaiter().GetResult();

        var ml = new MLContext();
        var view = ml.Data.LoadFromParquet(path);
        var json = view.GetColumn<string>("messages").ToArray();
        CollectionAssert.AreEqual(new[]
        {
            """[{"role":"user","content":"Hi"},{"role":"assistant","content":"Yo \"there\""}]""",
            "",
            "",
            """[{"role":"user","content":"Q"},{"role":"assistant","content":"A"},{"role":"user","content":"Q2"},{"role":"assistant","content":"A2"}]""",
        }, json);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, view.GetColumn<int>("id").ToArray());

        var output = ml.Transforms.Text.ApplyChatTemplate(new ApplyChatTemplateOptions { Columns = PostTrainingColumnNames.Default with { Messages = "messages" } })
            .Fit(view).Transform(view);
        CollectionAssert.AreEqual(new[] { "User: Hi\nAssistant: ", "", "", "User: Q\nAssistant: A\nUser: Q2\nAssistant: " }, output.GetColumn<string>("Prompt").ToArray());
        CollectionAssert.AreEqual(new[] { "Yo \"there\"", "", "", "A2" }, output.GetColumn<string>("Response").ToArray());
    }

    [TestMethod]
    public void AMessageWithANullContentIsNamed()
    {
        using var temp = new TempDirectory();
        var path = temp.File("null.parquet");
        var rows = new[] { new ChatRow { id = 1, messages = [new() { role = "user", content = "Hi" }, new() { role = "assistant", content = null }] } };
        Task.Run(async () =>
        {
            await using var stream = File.Create(path);
            await Parquet.Serialization.ParquetSerializer.SerializeAsync(rows, stream);
        }).GetAwaiter().GetResult();
        var error = Assert.Throws<InvalidDataException>(() => new MLContext().Data.LoadFromParquet(path).GetColumn<string>("messages").ToArray());
        StringAssert.Contains(error.Message, "message 1 of 'messages' has a null content");
    }
}
