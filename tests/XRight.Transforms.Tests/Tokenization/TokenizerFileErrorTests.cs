using System.Text.Json.Nodes;
using XRight.Text;
using static XRight.Tests.Tokenization.TinyTokenizerJson;

namespace XRight.Tests.Tokenization;

/// <summary>Missing, malformed and unsupported tokenizer files give errors that say which file and what.</summary>
[TestClass]
public sealed class TokenizerFileErrorTests
{
    /// <summary>A valid tiny tokenizer.json with the member at <paramref name="path"/> replaced (or removed when null).</summary>
    private static Exception LoadWith(string path, string? json)
    {
        var root = Create(extraTokens: ["<|endoftext|>"]);
        var names = path.Split('.');
        var parent = names[..^1].Aggregate((JsonNode)root, (node, name) => node[name]!).AsObject();
        if (json is null) parent.Remove(names[^1]);
        else parent[names[^1]] = JsonNode.Parse(json);
        using var folder = new TempDirectory();
        var exception = Assert.Throws<Exception>(() => CausalLmTokenizer.FromPretrained(Write(folder, root)));
        StringAssert.Contains(exception.Message, "tokenizer.json");
        return exception;
    }

    [TestMethod]
    [DataRow("normalizer", """{"type": "Lowercase"}""", "'Lowercase'")]
    [DataRow("pre_tokenizer", """{"type": "Whitespace"}""", "'Whitespace'")]
    [DataRow("pre_tokenizer", """{"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"}, {"type": "Digits"}]}""", "after ByteLevel")]
    [DataRow("pre_tokenizer", """{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\d"}, "behavior": "Isolated"}, {"type": "ByteLevel", "add_prefix_space": true}]}""", "add_prefix_space")]
    [DataRow("pre_tokenizer", """{"type": "Split", "pattern": {"Regex": "\\p{L}++"}, "behavior": "Isolated"}""", "not a .NET regular expression")]
    [DataRow("pre_tokenizer", """{"type": "Split", "pattern": {"Regex": "\\s"}, "behavior": "Isolated"}""", "no ByteLevel step")]
    [DataRow("pre_tokenizer", """{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first"}""", "add the model's tokenizer.model")]
    [DataRow("model.byte_fallback", "true", "add the model's tokenizer.model")]
    [DataRow("decoder", """{"type": "WordPiece"}""", "'WordPiece'")]
    [DataRow("post_processor", """{"type": "RobertaProcessing"}""", "'RobertaProcessing'")]
    [DataRow("model.type", "\"WordPiece\"", "model type 'WordPiece'")]
    [DataRow("model.dropout", "0.1", "dropout")]
    [DataRow("model.end_of_word_suffix", "\"</w>\"", "end_of_word_suffix")]
    [DataRow("added_tokens", """[{"id": 256, "content": "<|endoftext|>", "special": true, "lstrip": true}]""", "lstrip")]
    public void UnsupportedOptionsAreRefused(string path, string json, string expected)
    {
        var error = LoadWith(path, json);
        Assert.IsInstanceOfType<NotSupportedException>(error);
        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    [DataRow("model", null, "'model' is missing")]
    [DataRow("model.vocab", "[1, 2]", "'model.vocab' must be an object")]
    [DataRow("model.vocab", """{"a": "one"}""", "id of token \"a\"")]
    [DataRow("model.merges", """["a"]""", "'model.merges[0]'")]
    [DataRow("model.merges", """[["a", "b", "c"]]""", "'model.merges[0]'")]
    [DataRow("model.merges", """["a zz"]""", "'zz'")]
    [DataRow("pre_tokenizer", """{"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Sideways"}""", "behavior")]
    [DataRow("added_tokens", """[{"content": "<|x|>"}]""", "'added_tokens[0].id' is missing")]
    [DataRow("added_tokens", """[{"id": 256, "content": "<|x|>"}, {"id": 300, "content": "<|x|>"}]""", "and 300 in ")]
    public void MalformedFilesAreInvalidData(string path, string? json, string expected)
    {
        var error = LoadWith(path, json);
        Assert.IsInstanceOfType<InvalidDataException>(error);
        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public void NotJsonIsInvalidData()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("tokenizer.json"), "{ \"model\": ");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CausalLmTokenizer.FromPretrained(folder.Path));
        StringAssert.Contains(error.Message, folder.File("tokenizer.json"));
    }

    [TestMethod]
    public void MissingFolderAndFilesAreNamed()
    {
        using var folder = new TempDirectory();
        var missing = Path.Combine(folder.Path, "absent");
        StringAssert.Contains(Assert.ThrowsExactly<DirectoryNotFoundException>(() => CausalLmTokenizer.FromPretrained(missing)).Message, missing);

        var empty = Assert.ThrowsExactly<FileNotFoundException>(() => CausalLmTokenizer.FromPretrained(folder.Path));
        StringAssert.Contains(empty.Message, "tokenizer.json");

        File.WriteAllText(folder.File("vocab.json"), """{"a": 0}""");
        var aFile = Assert.ThrowsExactly<DirectoryNotFoundException>(() => CausalLmTokenizer.FromPretrained(folder.File("vocab.json")));
        StringAssert.Contains(aFile.Message, "is a file");
        var noMerges = Assert.ThrowsExactly<FileNotFoundException>(() => CausalLmTokenizer.FromPretrained(folder.Path));
        StringAssert.Contains(noMerges.Message, "merges.txt");
    }

    [TestMethod]
    public void BadMergesLineIsNamed()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.File("vocab.json"), """{"a": 0, "b": 1, "ab": 2, "<|endoftext|>": 3}""");
        File.WriteAllText(folder.File("merges.txt"), "#version: 0.2\na b\nab\n");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CausalLmTokenizer.FromPretrained(folder.Path));
        StringAssert.Contains(error.Message, "merges.txt: line 3");

        File.WriteAllText(folder.File("merges.txt"), "#version: 0.2\na b\n");
        var tokenizer = CausalLmTokenizer.FromPretrained(folder.Path);
        CollectionAssert.AreEqual(new[] { 2, 3 }, tokenizer.Encode("ab<|endoftext|>"));
    }
}
