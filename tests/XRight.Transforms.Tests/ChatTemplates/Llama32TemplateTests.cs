using System.Text.Json.Nodes;
using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// Llama-3.2-3B-Instruct: a system header that always carries "Cutting Knowledge Date: December 2023" and
/// "Today Date: " + <c>strftime_now("%d %b %Y")</c> (unless <c>date_string</c> is given), then the system
/// message; tools, when given, go into the first user turn as indented JSON.
/// </summary>
[TestClass]
public sealed class Llama32TemplateTests
{
    private const string Header = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n";
    private const string AssistantHeader = "<|start_header_id|>assistant<|end_header_id|>\n\n";

    private static ChatTemplate Template(int year = 2024, int month = 7, int day = 26) =>
        ChatTemplate.FromTokenizerFolder(RealTemplate("llama-3.2-instruct")).WithClock(new FixedClock(year, month, day, 9, 30));

    [TestMethod]
    public void TheDateComesFromTheInjectedClock()
    {
        var messages = Conversation(("user", "Hi"));
        Assert.AreEqual(
            Header + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" + AssistantHeader,
            Template().Render(messages, addGenerationPrompt: true));
        Assert.AreEqual(
            Header + "Cutting Knowledge Date: December 2023\nToday Date: 15 Jan 2025\n\n<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
            Template(2025, 1, 15).Render(messages));
    }

    [TestMethod]
    public void DateStringOverridesTheClock()
    {
        var rendered = Template().Render(Conversation(("user", "Hi")), extra: Vars(("date_string", "01 Apr 2030")));
        StringAssert.StartsWith(rendered, Header + "Cutting Knowledge Date: December 2023\nToday Date: 01 Apr 2030\n\n<|eot_id|>");
    }

    [TestMethod]
    public void SystemMessageIsTrimmedIntoTheHeaderAndTurnsFollow()
    {
        var messages = Conversation(("system", "  You are terse. "), ("user", "What is 2 + 2?"), ("assistant", "4."), ("user", "Danke schön"));
        Assert.AreEqual(
            Header + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nYou are terse.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 2?<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n4.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nDanke schön<|eot_id|>" + AssistantHeader,
            Template().Render(messages, addGenerationPrompt: true));
    }

    [TestMethod]
    public void ContentIsCopiedLiterally()
    {
        var messages = Conversation(("user", Conversations.TemplateSyntax), ("assistant", Conversations.NonAscii));
        Assert.AreEqual(
            Header + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nKeep {{ x }}, {% if y %}{% endif %} and {# z #} as written.<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nGrüße aus Köln — 日本語のテキスト 🎉<|eot_id|>",
            Template().Render(messages));
    }

    [TestMethod]
    public void ToolsGoIntoTheFirstUserTurnAsJsonIndentedByFour()
    {
        var tool = JsonNode.Parse("""{"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}""");
        var rendered = Template().Render(Conversation(("user", "What time is it?")), addGenerationPrompt: true,
            extra: Vars(("tools", new[] { tool })));
        Assert.AreEqual(
            Header + "Environment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\n" +
            "Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n" +
            "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}.Do not use variables.\n\n" +
            "{\n    \"type\": \"function\",\n    \"function\": {\n        \"name\": \"get_time\",\n        \"parameters\": {\n" +
            "            \"type\": \"object\",\n            \"properties\": {}\n        }\n    }\n}\n\n" +
            "What time is it?<|eot_id|>" + AssistantHeader,
            rendered);
    }

    [TestMethod]
    public void ToolsWithoutAUserTurnRaiseTheTemplatesError()
    {
        var template = Template();
        var error = Assert.ThrowsExactly<ChatTemplateException>(() =>
            template.Render(Conversation(("system", "S")), extra: Vars(("tools", new[] { JsonNode.Parse("""{"name": "f"}""") }))));
        Assert.AreEqual("Cannot put tools in the first user message when there's no first user message!", error.Message);
        Assert.IsTrue(error.RaisedByTemplate);
    }
}
