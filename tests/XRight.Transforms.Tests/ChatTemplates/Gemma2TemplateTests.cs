using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// gemma-2-it: <c>&lt;bos&gt;</c>, then <c>&lt;start_of_turn&gt;role\n</c> + trimmed content + <c>&lt;end_of_turn&gt;\n</c>, the
/// assistant's role written <c>model</c>; no system role; user and model must alternate.
/// </summary>
[TestClass]
public sealed class Gemma2TemplateTests
{
    private static ChatTemplate Template() => ChatTemplate.FromTokenizerFolder(RealTemplate("gemma-2-it"));

    [TestMethod]
    public void ContentIsTrimmedAndTheAssistantIsTheModel()
    {
        var messages = Conversation(("user", "  Hallo!\n"), ("assistant", "\tServus. "), ("user", Conversations.NonAscii));
        Assert.AreEqual(
            "<bos><start_of_turn>user\nHallo!<end_of_turn>\n<start_of_turn>model\nServus.<end_of_turn>\n" +
            "<start_of_turn>user\nGrüße aus Köln — 日本語のテキスト 🎉<end_of_turn>\n<start_of_turn>model\n",
            Template().Render(messages, addGenerationPrompt: true));
    }

    [TestMethod]
    public void TemplateSyntaxInContentIsLiteral()
    {
        Assert.AreEqual($"<bos><start_of_turn>user\n{Conversations.TemplateSyntax}<end_of_turn>\n",
            Template().Render(Conversation(("user", Conversations.TemplateSyntax))));
    }

    [TestMethod]
    public void SystemRoleIsRefusedByTheTemplate()
    {
        var template = Template();
        var error = Assert.ThrowsExactly<ChatTemplateException>(() => template.Render(Conversation(("system", "S"), ("user", "Hi")), addGenerationPrompt: true));
        Assert.AreEqual("System role not supported", error.Message);
        Assert.IsTrue(error.RaisedByTemplate);
    }

    [TestMethod]
    public void AnAssistantFirstConversationIsRefusedByTheTemplate()
    {
        var template = Template();
        var error = Assert.ThrowsExactly<ChatTemplateException>(() => template.Render(Conversation(("assistant", "Hello"), ("user", "Hi"))));
        Assert.AreEqual("Conversation roles must alternate user/assistant/user/assistant/...", error.Message);
    }
}
