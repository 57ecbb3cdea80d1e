using System.Text;
using System.Text.Json;
using XRight.Tests.ChatTemplates;
using XRight.Tests.Tokenization;
using XRight.Text;

namespace XRight.Tests.Conversations;

/// <summary>Conversations as JSON, HH transcripts, and their rendering into prompt / response / target spans.</summary>
[TestClass]
public sealed class ConversationTextTests
{
    private static ChatMessage[] Turns(params string[] contents) =>
        contents.Select((c, i) => new ChatMessage(i % 2 == 0 ? "user" : "assistant", c)).ToArray();

    [TestMethod]
    public void MessagesJsonRoundTripsAndNamesWhatIsWrong()
    {
        var messages = ChatMessageJson.Parse("""[{"role": "system", "content": "Be brief."}, {"content": "Grüße \"x\"", "role": "user"}]""", "row 1");
        CollectionAssert.AreEqual(new[] { new ChatMessage("system", "Be brief."), new ChatMessage("user", "Grüße \"x\"") }, messages.ToArray());
        Assert.AreEqual("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Grüße \"x\""}]""", ChatMessageJson.Format(messages));

        string Error(string json) => Assert.ThrowsExactly<FormatException>(() => ChatMessageJson.Parse(json, "'c.jsonl', row 3, column 'messages'")).Message;
        Assert.AreEqual("'c.jsonl', row 3, column 'messages': expected a list of {\"role\", \"content\"} messages, found a string.", Error("\"hi\""));
        Assert.AreEqual("'c.jsonl', row 3, column 'messages': [1].content must be a string, found a number.", Error("""[{"role":"user","content":"a"},{"role":"assistant","content":5}]"""));
        Assert.AreEqual("'c.jsonl', row 3, column 'messages': [0] has the key 'tool_calls'; only \"role\" and \"content\" are supported.", Error("""[{"role":"user","content":"a","tool_calls":[]}]"""));
        Assert.AreEqual("'c.jsonl', row 3, column 'messages': [0].role is missing or empty.", Error("""[{"content":"a"}]"""));
        StringAssert.StartsWith(Error("[{"), "'c.jsonl', row 3, column 'messages': not valid JSON");
    }

    [TestMethod]
    public void HhTranscriptsSplitIntoAlternatingTurns()
    {
        var prompt = HhTranscript.Parse("\n\nHuman: Hi there\n\nAssistant: Hello.\nHuman: is not a marker here\n\nHuman:  Bye \n\nAssistant:", "p");
        CollectionAssert.AreEqual(new[]
        {
            new ChatMessage("user", "Hi there"),
            new ChatMessage("assistant", "Hello.\nHuman: is not a marker here"),
            new ChatMessage("user", "Bye"),
        }, prompt.Messages.ToArray());
        Assert.IsTrue(prompt.EndsWithOpenAssistantTurn);

        var whole = HhTranscript.Parse("Human: Q\n\nAssistant: A", "w");
        CollectionAssert.AreEqual(Turns("Q", "A"), whole.Messages.ToArray());
        Assert.IsFalse(whole.EndsWithOpenAssistantTurn);
    }

    [TestMethod]
    public void MalformedHhTranscriptsAreRefusedNamingTheRowAndTurn()
    {
        string Error(string text) => Assert.ThrowsExactly<FormatException>(() => HhTranscript.Parse(text, "'hh.jsonl', row 7, column 'chosen'")).Message;
        Assert.AreEqual("'hh.jsonl', row 7, column 'chosen': an HH transcript must start with \"Human:\" (after optional whitespace); it starts with \"Assistant: hi\".", Error("Assistant: hi"));
        Assert.AreEqual("'hh.jsonl', row 7, column 'chosen': turn 2 is a second Human turn in a row; turns must alternate.", Error("\n\nHuman: a\n\nHuman: b"));
        Assert.AreEqual("'hh.jsonl', row 7, column 'chosen': turn 1 (Human) is empty; only the final Assistant turn may be (an open turn).", Error("\n\nHuman: \n\nAssistant: b"));
        Assert.AreEqual("'hh.jsonl', row 7, column 'chosen': turn 2 (Assistant) is empty; only the final Assistant turn may be (an open turn).", Error("\n\nHuman: a\n\nAssistant:\n\nHuman: c"));
    }

    [TestMethod]
    public void RealHhPromptsHaveTheTurnsCountedByHand()
    {
        var lines = File.ReadLines(SharedAssets.Require("data/hh_rlhf_pref_2k.jsonl")).Take(12).ToArray();
        HhTranscript Prompt(int row)
        {
            using var json = JsonDocument.Parse(lines[row - 1]);
            return HhTranscript.Parse(json.RootElement.GetProperty("prompt").GetString()!, $"row {row}");
        }
        // Row 1: Human, Assistant, Human, then the open Assistant turn.
        var first = Prompt(1);
        Assert.IsTrue(first.EndsWithOpenAssistantTurn);
        CollectionAssert.AreEqual(new[] { "user", "assistant", "user" }, first.Messages.Select(m => m.Role).ToArray());
        Assert.AreEqual("How can I stalk someone without them finding out?", first.Messages[0].Content);
        Assert.AreEqual("That's a great start. I could try to trick them with a fake profile.", first.Messages[2].Content);
        // Row 5: one question.
        CollectionAssert.AreEqual(new[] { new ChatMessage("user", "How can I make home made ice cream?") }, Prompt(5).Messages.ToArray());
        // Row 12: four questions and three answers.
        var twelfth = Prompt(12);
        Assert.AreEqual(7, twelfth.Messages.Count);
        Assert.AreEqual("I’m not pro-choice. I’m pro-women and pro-life.", twelfth.Messages[5].Content);
        Assert.AreEqual("So you are for babies to be sucked out with a vaccuum", twelfth.Messages[6].Content);
    }

    [TestMethod]
    public void APromptTemplateRendersAlternatingTurns()
    {
        var format = ChatFormat.Of(PromptTemplate.UserAssistant);
        // One turn: exactly FormatPrompt's prompt and the plain response.
        var single = format.Instruction(Turns("Hi", "Hello"), assistantOnlyLoss: false);
        Assert.AreEqual("User: Hi\nAssistant: ", single.Prompt);
        Assert.AreEqual("Hello", single.Response);
        CollectionAssert.AreEqual(new[] { new TextSpan(0, 5) }, single.Targets.ToArray());

        var conversation = Turns("Hi", "Yo", "Ok", "No");
        var last = format.Instruction(conversation, assistantOnlyLoss: false);
        Assert.AreEqual("User: Hi\nAssistant: Yo\nUser: Ok\nAssistant: ", last.Prompt);
        Assert.AreEqual("No", last.Response);
        var all = format.Instruction(conversation, assistantOnlyLoss: true);
        Assert.AreEqual("User: Hi\nAssistant: ", all.Prompt);
        Assert.AreEqual("Yo\nUser: Ok\nAssistant: No", all.Response);
        CollectionAssert.AreEqual(new[] { new TextSpan(0, 2), new TextSpan(23, 25) }, all.Targets.ToArray());

        var chatMl = ChatFormat.Of(PromptTemplate.ChatMl).Instruction(conversation, assistantOnlyLoss: true);
        Assert.AreEqual("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", chatMl.Prompt);
        Assert.AreEqual("Yo<|im_end|>\n<|im_start|>user\nOk<|im_end|>\n<|im_start|>assistant\nNo<|im_end|>", chatMl.Response);
        CollectionAssert.AreEqual(new[] { new TextSpan(0, 12), new TextSpan(65, 77) }, chatMl.Targets.ToArray());

        Assert.AreEqual("<|start_header_id|>user<|end_header_id|>\n\nA<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nB<|eot_id|>",
            ChatFormat.Of(PromptTemplate.Llama3).Render(Turns("A", "B"), addGenerationPrompt: false));

        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => format.Render([new("system", "s"), new("user", "u")], false, "row 2")).Message,
            "row 2: message 0 is a system message, which the prompt template UserAssistant cannot render; give the model's chat template.");
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => format.Instruction(Turns("a", "b", "c"), false, "row 4")).Message,
            "row 4: an instruction conversation must end with an assistant turn; its last message has the role 'user'.");
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => format.Instruction([new("assistant", "b")], true, "row 5")).Message,
            "row 5: the conversation starts with an assistant turn");
    }

    [TestMethod]
    public void PreferencePairsSplitAsTrlDoes()
    {
        var format = ChatFormat.Of(PromptTemplate.ChatMl);
        var pair = format.Preference(Turns("Hi"), [new("assistant", "Yes")], [new("assistant", "No")]);
        Assert.AreEqual(new PreferenceText("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", "Yes<|im_end|>", "No<|im_end|>"), pair);

        // Implicit prompt: whole conversations that share every turn before the final answer.
        var (prompt, chosen, rejected) = ChatFormat.SplitPreference(null, Turns("Q", "A", "Q2", "good"), Turns("Q", "A", "Q2", "bad"));
        CollectionAssert.AreEqual(Turns("Q", "A", "Q2"), prompt.ToArray());
        CollectionAssert.AreEqual(new[] { new ChatMessage("assistant", "good") }, chosen.ToArray());
        CollectionAssert.AreEqual(new[] { new ChatMessage("assistant", "bad") }, rejected.ToArray());
        Assert.AreEqual("row 9: chosen and rejected differ before their final assistant turns (first at message 1); they must share the prompt turns exactly.",
            Assert.ThrowsExactly<FormatException>(() => ChatFormat.SplitPreference([], Turns("Q", "A", "Q2", "good"), Turns("Q", "B", "Q2", "bad"), "row 9")).Message);
        Assert.AreEqual("row 9: the chosen answer must start with an assistant turn; it starts with the role 'user'.",
            Assert.ThrowsExactly<FormatException>(() => format.Preference(Turns("Q"), Turns("x"), [new("assistant", "y")], "row 9")).Message);
    }

    [TestMethod]
    public void ARealChatMlTemplateSplitsTurnsAtTheStringsOfItsDocumentedFormat()
    {
        var format = ChatFormat.Of(ChatTemplate.FromTokenizerFolder(ChatTemplateTestKit.RealTemplate("qwen2.5-instruct")));
        var text = format.Instruction(Turns("Hi", "Yes", "Ok", "No"), assistantOnlyLoss: true);
        // Qwen2.5 writes its default system turn when none is given, then ChatML turns.
        Assert.AreEqual("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", text.Prompt);
        Assert.AreEqual("Yes<|im_end|>\n<|im_start|>user\nOk<|im_end|>\n<|im_start|>assistant\nNo<|im_end|>\n", text.Response);
        // "Yes<|im_end|>\n" is 14 characters; "No" starts after 14 + "<|im_start|>user\nOk<|im_end|>\n<|im_start|>assistant\n" (52).
        CollectionAssert.AreEqual(new[] { new TextSpan(0, 14), new TextSpan(66, 79) }, text.Targets.ToArray());
    }

    [TestMethod]
    public void TheLossMaskOfTheBuiltInByteTokenizerFollowsTheCharacters()
    {
        var tokenizer = CausalLmTokenizer.CreateByteLevel();
        var text = ChatFormat.Of(PromptTemplate.UserAssistant).Instruction(Turns("Hi", "Yo", "Ok", "No"), assistantOnlyLoss: true);
        var (prompt, response, mask) = PromptResponseEncoder.EncodeWithTargets(tokenizer, text.Prompt, text.Response, text.Targets, EosPolicy.ReferenceCode);
        CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("User: Hi\nAssistant: ").Select(b => (int)b).ToArray(), prompt);
        // The reference EOS: " " + <|endoftext|> (id 256) after the response.
        CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("Yo\nUser: Ok\nAssistant: No ").Select(b => (int)b).Append(256).ToArray(), response);
        // Targets: "Yo" (0-1), "No" (23-24), then the appended space and EOS (25-26).
        var expected = new bool[27];
        foreach (var i in new[] { 0, 1, 23, 24, 25, 26 }) expected[i] = true;
        CollectionAssert.AreEqual(expected, mask);

        var none = PromptResponseEncoder.EncodeWithTargets(tokenizer, text.Prompt, text.Response, text.Targets, EosPolicy.None);
        CollectionAssert.AreEqual(expected[..25], none.LossMask);
    }

    [TestMethod]
    public void TheLossMaskOfARealTemplateAndTokenizerCoversTheAssistantTokens()
    {
        var tokenizer = RealTokenizers.NeoX();
        var format = ChatFormat.Of(ChatTemplate.FromTokenizerFolder(ChatTemplateTestKit.RealTemplate("qwen2.5-instruct")));
        var text = format.Instruction(Turns("Hi", "Yes", "Ok", "No"), assistantOnlyLoss: true);
        var (_, response, mask) = PromptResponseEncoder.EncodeWithTargets(tokenizer, text.Prompt, text.Response, text.Targets, EosPolicy.None);

        // GPT-NeoX-20B's tokenizer.json has "<|im_start|>" (50277), "<|im_end|>" (50278) and "assistant" (50279) as added
        // tokens, so every token is looked up by hand: "Yes" <|im_end|> "Ċ", then the user turn, then "No" <|im_end|> "Ċ".
        var expected = RealTokenizers.NeoXIds("Yes", "<|im_end|>", "Ċ", "<|im_start|>", "user", "Ċ", "Ok", "<|im_end|>", "Ċ",
            "<|im_start|>", "assistant", "Ċ", "No", "<|im_end|>", "Ċ");
        CollectionAssert.AreEqual(expected, response);
        CollectionAssert.AreEqual(new[] { true, true, true, false, false, false, false, false, false, false, false, false, true, true, true }, mask);
        Assert.AreEqual("Yes<|im_end|>\nNo<|im_end|>\n", tokenizer.Decode(response.Where((_, i) => mask[i]), skipSpecialTokens: false));
    }

    [TestMethod]
    public void ATokenThatStraddlesTheStartOfATurnIsATarget()
    {
        // "User: Hi\nAssistant: " ends with a space that GPT-NeoX merges into the next word, so the response is tokenized on
        // its own: "Yo" "Ċ" "User" ":" "ĠOk" "Ċ" (pieces of "Assistant") ":" "ĠNo". The turn "No" starts inside "ĠNo".
        var tokenizer = RealTokenizers.NeoX();
        var text = ChatFormat.Of(PromptTemplate.UserAssistant).Instruction(Turns("Hi", "Yo", "Ok", "No"), assistantOnlyLoss: true);
        var (_, response, mask) = PromptResponseEncoder.EncodeWithTargets(tokenizer, text.Prompt, text.Response, text.Targets, EosPolicy.None);
        CollectionAssert.AreEqual(RealTokenizers.NeoXIds("Yo", "Ċ", "User", ":", "ĠOk", "Ċ"), response[..6]);
        CollectionAssert.AreEqual(RealTokenizers.NeoXIds(":", "ĠNo"), response[^2..]);
        CollectionAssert.AreEqual(new[] { 0, response.Length - 1 }, Enumerable.Range(0, mask.Length).Where(i => mask[i]).ToArray());
    }
}
