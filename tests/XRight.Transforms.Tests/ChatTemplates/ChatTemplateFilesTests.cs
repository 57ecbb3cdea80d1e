using XRight.Text;

namespace XRight.Tests.ChatTemplates;

/// <summary>Where a model folder keeps its template and special tokens, read as transformers reads them.</summary>
[TestClass]
public sealed class ChatTemplateFilesTests
{
    private string _folder = null!;

    [TestInitialize]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("xright-chat-").FullName;

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private void Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private string Render(string? templateName = null) =>
        ChatTemplate.FromTokenizerFolder(_folder, templateName).Render([new ChatMessage("user", "Hi")]);

    [TestMethod]
    public void TheConfigsStringTemplateAndItsSpecialTokens()
    {
        Write("tokenizer_config.json", """{"bos_token": "<s>", "eos_token": {"__type": "AddedToken", "content": "</s>", "lstrip": false}, "unk_token": null, "pad_token": "", "chat_template": "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}|{{ unk_token is defined }}{{ pad_token is defined }}"}""");
        Assert.AreEqual("<s>Hi</s>|FalseFalse", Render());
        var template = ChatTemplate.FromTokenizerConfig(Path.Combine(_folder, "tokenizer_config.json"));
        CollectionAssert.AreEquivalent(new Dictionary<string, string> { ["bos_token"] = "<s>", ["eos_token"] = "</s>" }, template.SpecialTokens.ToDictionary());
    }

    [TestMethod]
    public void ChatTemplateJinjaComesFirstThenChatTemplateJson()
    {
        Write("tokenizer_config.json", """{"chat_template": "config"}""");
        Assert.AreEqual("config", Render());
        Write("chat_template.json", """{"chat_template": "json"}""");
        Assert.AreEqual("json", Render());
        Write("chat_template.jinja", "jinja {{ messages|length }}\n");
        Assert.AreEqual("jinja 1", Render());
        Assert.AreEqual("jinja 1", ChatTemplate.FromTokenizerConfig(Path.Combine(_folder, "tokenizer_config.json")).Render([new ChatMessage("user", "Hi")]));
    }

    [TestMethod]
    public void AListOfNamedTemplatesUsesDefaultUnlessANameIsGiven()
    {
        Write("tokenizer_config.json", """{"chat_template": [{"name": "default", "template": "plain"}, {"name": "tool_use", "template": "tools"}]}""");
        Assert.AreEqual("plain", Render());
        Assert.AreEqual("tools", Render("tool_use"));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Render("rag"));
        StringAssert.Contains(error.Message, "no template named 'rag' (it has 'default', 'tool_use')");
        Write("additional_chat_templates/rag.jinja", "rag");
        Assert.AreEqual("rag", Render("rag"));
    }

    [TestMethod]
    public void SpecialTokensMapOverridesTheConfig()
    {
        Write("tokenizer_config.json", """{"bos_token": "<s>", "additional_special_tokens": ["<a>"], "chat_template": "{{ bos_token }}{{ additional_special_tokens }}"}""");
        Write("special_tokens_map.json", """{"bos_token": {"content": "<|begin|>", "single_word": false}, "additional_special_tokens": [{"content": "<b>"}, "<c>"]}""");
        Assert.AreEqual("<|begin|>['<b>', '<c>']", Render());
    }

    [TestMethod]
    public void MissingOrBrokenTemplatesAreReported()
    {
        Write("tokenizer_config.json", """{"eos_token": "</s>"}""");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Render()).Message, "No chat template");
        Write("chat_template.jinja", "{% if %}");
        var error = Assert.ThrowsExactly<ChatTemplateException>(() => Render());
        StringAssert.Contains(error.Message, "chat_template.jinja: Chat template line 1: expected an expression");
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => ChatTemplate.FromTokenizerFolder(Path.Combine(_folder, "absent")));
        Assert.ThrowsExactly<FileNotFoundException>(() => ChatTemplate.FromTokenizerConfig(Path.Combine(_folder, "absent.json")));
    }
}
