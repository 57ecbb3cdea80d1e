using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// Mistral-7B-Instruct-v0.2: <c>&lt;s&gt;</c>, user turns as <c>[INST] content [/INST]</c>, assistant turns as
/// content + <c>&lt;/s&gt;</c>; roles must alternate starting with the user, and there is no system role.
/// </summary>
[TestClass]
public sealed class MistralTemplateTests
{
    private const string Alternate = "Conversation roles must alternate user/assistant/user/assistant/...";

    private static ChatTemplate Template() => ChatTemplate.FromTokenizerFolder(RealTemplate("mistral-7b-instruct-v0.2"));

    [TestMethod]
    public void MultiTurnIgnoresTheGenerationPrompt()
    {
        const string expected = "<s>[INST] What is 2 + 2? [/INST]2 + 2 = 4.</s>[INST] And times 3? [/INST]";
        Assert.AreEqual(expected, Template().Render(Conversations.MultiTurn));
        Assert.AreEqual(expected, Template().Render(Conversations.MultiTurn, addGenerationPrompt: true));
    }

    [TestMethod]
    public void ContentIsNotTrimmed()
    {
        Assert.AreEqual("<s>[INST]  spaced  [/INST] reply </s>",
            Template().Render(Conversation(("user", " spaced "), ("assistant", " reply "))));
        Assert.AreEqual("<s>[INST] Keep {{ x }}, {% if y %}{% endif %} and {# z #} as written. [/INST]Grüße aus Köln — 日本語のテキスト 🎉</s>",
            Template().Render(Conversation(("user", Conversations.TemplateSyntax), ("assistant", Conversations.NonAscii))));
    }

    [TestMethod]
    [DataRow("user", "user")]
    [DataRow("assistant", "user")]
    [DataRow("system", "user")]
    public void RolesThatDoNotAlternateAreRefusedByTheTemplate(string first, string second)
    {
        var template = Template();
        var error = Assert.ThrowsExactly<ChatTemplateException>(() => template.Render(Conversation((first, "a"), (second, "b"))));
        Assert.AreEqual(Alternate, error.Message);
        Assert.IsTrue(error.RaisedByTemplate);
        Assert.AreEqual(1, error.Line);
    }

    [TestMethod]
    public void OtherRolesAreRefusedByTheTemplate()
    {
        var template = Template();
        var error = Assert.ThrowsExactly<ChatTemplateException>(() => template.Render(Conversation(("user", "a"), ("tool", "b"))));
        Assert.AreEqual("Only user and assistant roles are supported!", error.Message);
    }
}
