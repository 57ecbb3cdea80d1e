using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// Meta-Llama-3-8B-Instruct: <c>&lt;|begin_of_text|&gt;</c>, then per turn
/// <c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\n</c> + trimmed content + <c>&lt;|eot_id|&gt;</c>;
/// the generation prompt is the assistant header.
/// </summary>
[TestClass]
public sealed class Llama3TemplateTests
{
    private static ChatTemplate Template() => ChatTemplate.FromTokenizerFolder(RealTemplate("llama-3-instruct"));

    [TestMethod]
    public void OneUserTurn()
    {
        var messages = Conversation(("user", "Hi"));
        Assert.AreEqual("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", Template().Render(messages));
        Assert.AreEqual(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            Template().Render(messages, addGenerationPrompt: true));
    }

    [TestMethod]
    public void SystemAndMultiTurnWithTrimmedContent()
    {
        var messages = Conversation(("system", "You are a pirate.\n"), ("user", "  Hi  "), ("assistant", "Arr!"), ("user", "Bye"));
        Assert.AreEqual(
            "<|begin_of_text|>" +
            "<|start_header_id|>system<|end_header_id|>\n\nYou are a pirate.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nArr!<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            Template().Render(messages, addGenerationPrompt: true));
    }

    [TestMethod]
    public void ContentIsCopiedLiterally()
    {
        var messages = Conversation(("user", Conversations.NonAscii), ("assistant", Conversations.TemplateSyntax));
        Assert.AreEqual(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nGrüße aus Köln — 日本語のテキスト 🎉<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nKeep {{ x }}, {% if y %}{% endif %} and {# z #} as written.<|eot_id|>",
            Template().Render(messages));
    }

    [TestMethod]
    public void SpecialTokensComeFromTheConfig()
    {
        var template = Template();
        Assert.AreEqual("<|begin_of_text|>", template.SpecialTokens["bos_token"]);
        Assert.AreEqual("<|end_of_text|>", template.SpecialTokens["eos_token"]);
        Assert.IsFalse(template.SpecialTokens.ContainsKey("unk_token"), "unk_token is null in this config");
    }
}
