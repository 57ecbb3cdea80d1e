using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// SmolLM2-Instruct: ChatML, with the default system prompt "You are a helpful AI assistant named SmolLM,
/// trained by Hugging Face" when the conversation does not start with one.
/// </summary>
[TestClass]
public sealed class SmolLM2TemplateTests
{
    private const string DefaultSystem = "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n";

    private static ChatTemplate Template() => ChatTemplate.FromTokenizerFolder(RealTemplate("smollm2-instruct"));

    [TestMethod]
    public void DefaultSystemPromptAndMultiTurn()
    {
        Assert.AreEqual(
            DefaultSystem +
            "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n2 + 2 = 4.<|im_end|>\n<|im_start|>user\nAnd times 3?<|im_end|>\n" +
            "<|im_start|>assistant\n",
            Template().Render(Conversations.MultiTurn, addGenerationPrompt: true));
    }

    [TestMethod]
    public void AGivenSystemPromptReplacesTheDefault()
    {
        Assert.AreEqual("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
            Template().Render(Conversation(("system", "Be brief."), ("user", "Hi"))));
    }

    [TestMethod]
    public void AnEmptyConversationIsOnlyTheGenerationPrompt()
    {
        Assert.AreEqual("<|im_start|>assistant\n", Template().Render([], addGenerationPrompt: true));
        Assert.AreEqual("", Template().Render([]));
    }

    [TestMethod]
    public void ContentIsCopiedLiterally()
    {
        Assert.AreEqual(DefaultSystem + $"<|im_start|>user\n{Conversations.TemplateSyntax}<|im_end|>\n<|im_start|>assistant\n {Conversations.NonAscii} <|im_end|>\n",
            Template().Render(Conversation(("user", Conversations.TemplateSyntax), ("assistant", $" {Conversations.NonAscii} "))));
    }
}
