using System.Text.Json;
using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// The worked examples kept with the real templates (<c>examples.json</c>): transformers' own renderings of
/// four conversations with and without the generation prompt, or the <c>TemplateError</c> message raised.
/// </summary>
[TestClass]
public sealed class WorkedExamplesTests
{
    [TestMethod]
    [DataRow("qwen2.5-instruct", "single_user")]
    [DataRow("qwen2.5-instruct", "system_user")]
    [DataRow("qwen2.5-instruct", "multi_turn")]
    [DataRow("qwen2.5-instruct", "ends_with_assistant")]
    [DataRow("gemma-2-it", "single_user")]
    [DataRow("gemma-2-it", "system_user")]
    [DataRow("gemma-2-it", "multi_turn")]
    [DataRow("gemma-2-it", "ends_with_assistant")]
    public void RenderingMatchesTransformers(string family, string conversation)
    {
        var examplesPath = SharedAssets.Require("tokenizers/chat-templates/examples.json");
        using var examples = JsonDocument.Parse(File.ReadAllText(examplesPath));
        var root = examples.RootElement;
        var messages = root.GetProperty("conversations").GetProperty(conversation).EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))
            .ToArray();
        var cases = root.GetProperty("families").GetProperty(family).GetProperty("cases").GetProperty(conversation);
        var template = ChatTemplate.FromTokenizerFolder(RealTemplate(family)).WithClock(new FixedClock(2025, 1, 15, 9, 30));

        foreach (var (key, addGenerationPrompt) in new[] { ("add_generation_prompt_false", false), ("add_generation_prompt_true", true) })
        {
            var expected = cases.GetProperty(key);
            if (expected.TryGetProperty("rendered", out var rendered))
            {
                Assert.AreEqual(rendered.GetString(), template.Render(messages, addGenerationPrompt), $"{family}/{conversation}/{key}");
            }
            else
            {
                var error = Assert.ThrowsExactly<ChatTemplateException>(() => template.Render(messages, addGenerationPrompt), $"{family}/{conversation}/{key}");
                Assert.AreEqual("TemplateError", expected.GetProperty("error").GetProperty("type").GetString());
                Assert.AreEqual(expected.GetProperty("error").GetProperty("message").GetString(), error.Message);
                Assert.IsTrue(error.RaisedByTemplate);
            }
        }
    }

    [TestMethod]
    public void SpecialTokensAreTheTemplateKeywordsTransformersPasses()
    {
        var examplesPath = SharedAssets.Require("tokenizers/chat-templates/examples.json");
        using var examples = JsonDocument.Parse(File.ReadAllText(examplesPath));
        foreach (var family in new[] { "qwen2.5-instruct", "gemma-2-it" })
        {
            var kwargs = examples.RootElement.GetProperty("families").GetProperty(family).GetProperty("template_kwargs");
            var template = ChatTemplate.FromTokenizerFolder(RealTemplate(family));
            var expectedTokens = kwargs.EnumerateObject().Where(p => p.Name != "additional_special_tokens")
                .ToDictionary(p => p.Name, p => p.Value.GetString()!);
            CollectionAssert.AreEquivalent(expectedTokens, template.SpecialTokens.ToDictionary(), family);
            CollectionAssert.AreEqual(
                kwargs.GetProperty("additional_special_tokens").EnumerateArray().Select(t => t.GetString()).ToArray(),
                template.AdditionalSpecialTokens.ToArray(), family);
        }
    }
}
