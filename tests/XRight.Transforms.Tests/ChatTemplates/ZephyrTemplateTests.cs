using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// zephyr-7b-beta (also TinyLlama-1.1B-Chat): <c>&lt;|role|&gt;\ncontent&lt;/s&gt;\n</c> per turn, and
/// <c>&lt;|assistant|&gt;\n</c> after the last turn for the generation prompt. The template is written over
/// several lines and relies on trim_blocks eating the newline after each <c>%}</c> but not after <c>}}</c>.
/// </summary>
[TestClass]
public sealed class ZephyrTemplateTests
{
    private static ChatTemplate Template() => ChatTemplate.FromTokenizerFolder(RealTemplate("zephyr-7b-beta"));

    [TestMethod]
    public void SystemUserAndGenerationPrompt()
    {
        var messages = Conversation(("system", "You are friendly."), ("user", "Hi"));
        Assert.AreEqual("<|system|>\nYou are friendly.</s>\n<|user|>\nHi</s>\n", Template().Render(messages));
        Assert.AreEqual("<|system|>\nYou are friendly.</s>\n<|user|>\nHi</s>\n<|assistant|>\n", Template().Render(messages, addGenerationPrompt: true));
    }

    [TestMethod]
    public void MultiTurn()
    {
        Assert.AreEqual(
            "<|user|>\nWhat is 2 + 2?</s>\n<|assistant|>\n2 + 2 = 4.</s>\n<|user|>\nAnd times 3?</s>\n<|assistant|>\n",
            Template().Render(Conversations.MultiTurn, addGenerationPrompt: true));
    }

    [TestMethod]
    public void ThePromptIsInsideTheLoopSoAnEmptyConversationRendersNothing()
    {
        Assert.AreEqual("", Template().Render([], addGenerationPrompt: true));
    }

    [TestMethod]
    public void UnknownRolesAreSkippedAndContentIsLiteral()
    {
        Assert.AreEqual($"<|user|>\n{Conversations.NonAscii}</s>\n<|user|>\n{Conversations.TemplateSyntax}</s>\n",
            Template().Render(Conversation(("user", Conversations.NonAscii), ("tool", "ignored"), ("user", Conversations.TemplateSyntax))));
    }
}
