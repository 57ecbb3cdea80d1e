using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// Phi-3-mini-4k-instruct: <c>&lt;|role|&gt;\ncontent&lt;|end|&gt;\n</c> per turn; then <c>&lt;|assistant|&gt;\n</c>
/// for the generation prompt, or the EOS token <c>&lt;|endoftext|&gt;</c> without it.
/// </summary>
[TestClass]
public sealed class Phi3TemplateTests
{
    private static ChatTemplate Template() => ChatTemplate.FromTokenizerFolder(RealTemplate("phi-3-mini-instruct"));

    [TestMethod]
    public void TheEndIsTheGenerationPromptOrEos()
    {
        var messages = Conversation(("system", "Be brief."), ("user", "Hi"));
        Assert.AreEqual("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n", Template().Render(messages, addGenerationPrompt: true));
        Assert.AreEqual("<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|endoftext|>", Template().Render(messages));
    }

    [TestMethod]
    public void MultiTurnWithNonAsciiText()
    {
        var messages = Conversation(("user", "Wie geht's?"), ("assistant", "Gut, danke — und dir? 😊"), ("user", "Très bien."));
        Assert.AreEqual(
            "<|user|>\nWie geht's?<|end|>\n<|assistant|>\nGut, danke — und dir? 😊<|end|>\n<|user|>\nTrès bien.<|end|>\n<|assistant|>\n",
            Template().Render(messages, addGenerationPrompt: true));
    }

    [TestMethod]
    public void TemplateSyntaxInContentIsLiteral()
    {
        Assert.AreEqual("<|user|>\nKeep {{ x }}, {% if y %}{% endif %} and {# z #} as written.<|end|>\n<|assistant|>\n",
            Template().Render(Conversation(("user", Conversations.TemplateSyntax)), addGenerationPrompt: true));
    }

    [TestMethod]
    public void UnknownRolesAreSkipped()
    {
        Assert.AreEqual("<|user|>\na<|end|>\n<|endoftext|>", Template().Render(Conversation(("user", "a"), ("tool", "b"))));
    }
}
