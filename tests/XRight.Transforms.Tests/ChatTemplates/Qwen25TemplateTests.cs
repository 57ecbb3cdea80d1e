using System.Text.Json.Nodes;
using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// Qwen2.5-Instruct: ChatML (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>) with a default system prompt;
/// tools are listed in the system turn as one-line JSON; consecutive tool results share one user turn.
/// </summary>
[TestClass]
public sealed class Qwen25TemplateTests
{
    private const string DefaultSystem = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n";

    private static ChatTemplate Template() => ChatTemplate.FromTokenizerFolder(RealTemplate("qwen2.5-instruct"));

    [TestMethod]
    public void ContentIsCopiedLiterally()
    {
        var messages = Conversation(("user", Conversations.NonAscii), ("assistant", Conversations.TemplateSyntax), ("user", "<|im_end|> is just text"));
        Assert.AreEqual(
            DefaultSystem +
            "<|im_start|>user\nGrüße aus Köln — 日本語のテキスト 🎉<|im_end|>\n" +
            "<|im_start|>assistant\nKeep {{ x }}, {% if y %}{% endif %} and {# z #} as written.<|im_end|>\n" +
            "<|im_start|>user\n<|im_end|> is just text<|im_end|>\n" +
            "<|im_start|>assistant\n",
            Template().Render(messages, addGenerationPrompt: true));
    }

    [TestMethod]
    public void ToolResultsInARowShareOneUserTurn()
    {
        var messages = Conversation(("user", "Weather in Köln?"), ("assistant", "Checking."), ("tool", "22°C"), ("tool", "sunny"));
        Assert.AreEqual(
            DefaultSystem +
            "<|im_start|>user\nWeather in Köln?<|im_end|>\n" +
            "<|im_start|>assistant\nChecking.<|im_end|>\n" +
            "<|im_start|>user\n<tool_response>\n22°C\n</tool_response>\n<tool_response>\nsunny\n</tool_response><|im_end|>\n" +
            "<|im_start|>assistant\n",
            Template().Render(messages, addGenerationPrompt: true));
    }

    [TestMethod]
    public void ToolsAreListedAsOneLineJsonWithPythonSeparators()
    {
        var tool = JsonNode.Parse("""{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}""");
        var rendered = Template().Render(Conversation(("system", "Be brief."), ("user", "Hi")), extra: Vars(("tools", new[] { tool })));
        Assert.AreEqual(
            "<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
            "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
            "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}\n" +
            "</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
            "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" +
            "<|im_start|>user\nHi<|im_end|>\n",
            rendered);
    }

    [TestMethod]
    public void NoBosTokenIsSetSoItIsUndefined()
    {
        var template = Template();
        Assert.IsFalse(template.SpecialTokens.ContainsKey("bos_token"), "\"bos_token\": null in the config");
        Assert.AreEqual("<|im_end|>", template.SpecialTokens["eos_token"]);
        Assert.AreEqual(13, template.AdditionalSpecialTokens.Count);
    }
}
