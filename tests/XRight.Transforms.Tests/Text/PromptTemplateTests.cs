using XRight.Text;

namespace XRight.Tests.Text;

[TestClass]
public sealed class PromptTemplateTests
{
    [TestMethod]
    public void PredefinedTemplatesWrapThePrompt()
    {
        Assert.AreEqual("User: hi\nAssistant: ", PromptTemplate.UserAssistant.Apply("hi"));
        Assert.AreSame(PromptTemplate.UserAssistant, PromptTemplate.Default);
        Assert.AreEqual("hi", PromptTemplate.Raw.Apply("hi"));
        Assert.AreEqual("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", PromptTemplate.ChatMl.Apply("hi"));
        Assert.AreEqual(
            "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            PromptTemplate.Llama3.Apply("hi"));
    }

    [TestMethod]
    public void ChatFormatsNameTheirEndOfTurnToken()
    {
        Assert.AreEqual("<|im_end|>", PromptTemplate.ChatMl.EndOfTurnToken);
        Assert.AreEqual("<|eot_id|>", PromptTemplate.Llama3.EndOfTurnToken);
        Assert.IsNull(PromptTemplate.UserAssistant.EndOfTurnToken);
        Assert.IsNull(PromptTemplate.Raw.EndOfTurnToken);
    }

    [TestMethod]
    public void CustomFormatUndoublesBraces()
    {
        var template = PromptTemplate.Custom("Q: {prompt} {{A}}: ");
        Assert.AreEqual("Custom", template.Name);
        Assert.IsFalse(template.IsPredefined);
        Assert.AreEqual("Q: a {b} c {A}: ", template.Apply("a {b} c"), "braces in the prompt itself are kept as they are");
        Assert.AreEqual("{x}", PromptTemplate.Custom("{{{prompt}}}").Apply("x"));
    }

    [TestMethod]
    [DataRow("no placeholder", "has no {prompt}")]
    [DataRow("{{prompt}}", "has no {prompt}")]
    [DataRow("{prompt} and {prompt}", "more than one")]
    [DataRow("{prompt} {", "single '{' at position 9")]
    [DataRow("} {prompt}", "single '}' at position 0")]
    [DataRow("{Prompt}", "single '{' at position 0")]
    public void BadFormatsAreRejected(string format, string expected)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => PromptTemplate.Custom(format));
        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public void ParseRestoresWhatToStringStores()
    {
        foreach (var template in PromptTemplate.Predefined)
            Assert.AreSame(template, PromptTemplate.Parse(template.ToString()));
        Assert.AreSame(PromptTemplate.ChatMl, PromptTemplate.Parse("chatml"));
        Assert.AreSame(PromptTemplate.Llama3, PromptTemplate.Parse("LLAMA3"));

        var custom = PromptTemplate.Custom("### Question\n{prompt}\n### {{Answer}}\n");
        var restored = PromptTemplate.Parse(custom.ToString());
        Assert.AreEqual(custom.Format, restored.Format);
        Assert.AreEqual(custom.Apply("x"), restored.Apply("x"));
    }

    [TestMethod]
    public void ParseRejectsUnknownNames()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => PromptTemplate.Parse("Alpaca"));
        StringAssert.Contains(error.Message, "UserAssistant, Raw, ChatMl, Llama3");
        Assert.ThrowsExactly<ArgumentException>(() => PromptTemplate.Parse(""));
    }
}
