using System.Text;
using Microsoft.ML;
using XRight.Text;
using XRight.TextStages;

namespace XRight.Tests.TextStages;

/// <summary>TRL's truncation_mode for prompts (keep the start or the end) on SFT and DPO rows, and the PromptTruncated flag.</summary>
[TestClass]
public sealed class TruncationModeTests
{
    private const int Eos = 256; // built-in byte-level tokenizer: ids 0-255 are bytes, 256 = <|endoftext|>

    public sealed class Row
    {
        public string Prompt { get; set; } = "";
        public string Response { get; set; } = "";
        public string Chosen { get; set; } = "";
        public string Rejected { get; set; } = "";
    }

    public sealed class Tokens
    {
        public int[] PromptTokens { get; set; } = [];
        public int[] ResponseTokens { get; set; } = [];
        public int[] ChosenTokens { get; set; } = [];
        public bool TokensFit { get; set; }
        public bool PromptTruncated { get; set; }
    }

    private static int[] Bytes(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    private static Tokens[] Tokenize(PromptTruncation truncation, int maxLength)
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new Row { Prompt = "abcdefghij", Response = "xy" },                          // "User: abcdefghij\nAssistant: " is 28 bytes; "xy " + EOS is 4
            new Row { Prompt = "abcdefghij", Chosen = "yes", Rejected = "no" },          // the longer answer: "yes " + EOS, 5
            new Row { Prompt = "a", Response = "b" },                                    // 22 + 3 tokens: fits uncut
        });
        var pipeline = ml.Transforms.Text.FormatPrompt("Prompt", PromptTemplate.UserAssistant)
            .Append(ml.Transforms.Text.TokenizeForCausalLm(CausalLmTokenizer.CreateByteLevel(),
                new TokenizeForCausalLmOptions { MaxLength = maxLength, PromptTruncation = truncation, MinPromptTokens = 4 }));
        return ml.Data.CreateEnumerable<Tokens>(pipeline.Fit(data).Transform(data), false).ToArray();
    }

    [TestMethod]
    public void KeepStartKeepsTheFirstPromptTokensOfSftAndDpoRows()
    {
        var rows = Tokenize(PromptTruncation.KeepStart, maxLength: 14);
        CollectionAssert.AreEqual(Bytes("User: abcd"), rows[0].PromptTokens, "14 − 4 = 10 prompt tokens");
        CollectionAssert.AreEqual(Bytes("xy ").Append(Eos).ToArray(), rows[0].ResponseTokens);
        CollectionAssert.AreEqual(Bytes("User: abc"), rows[1].PromptTokens, "14 − 5 = 9 prompt tokens");
        CollectionAssert.AreEqual(Bytes("yes ").Append(Eos).ToArray(), rows[1].ChosenTokens);
        Assert.IsTrue(rows[0].PromptTruncated && rows[1].PromptTruncated);
        Assert.IsTrue(rows[0].TokensFit && rows[1].TokensFit);
    }

    [TestMethod]
    public void KeepEndKeepsTheLastPromptTokensOfSftAndDpoRows()
    {
        var rows = Tokenize(PromptTruncation.KeepEnd, maxLength: 14);
        CollectionAssert.AreEqual(Bytes("ssistant: "), rows[0].PromptTokens);
        CollectionAssert.AreEqual(Bytes("sistant: "), rows[1].PromptTokens);
        Assert.IsTrue(rows[0].PromptTruncated && rows[1].PromptTruncated);
    }

    [TestMethod]
    public void NoneDropsTheRowsAndUncutRowsAreNotFlagged()
    {
        var rows = Tokenize(PromptTruncation.None, maxLength: 30);
        Assert.IsFalse(rows[0].TokensFit, "28 + 4 > 30");
        Assert.IsFalse(rows[0].PromptTruncated, "a dropped row is not counted as truncated");
        Assert.AreEqual(0, rows[0].PromptTokens.Length);
        Assert.IsTrue(rows[2].TokensFit);
        Assert.IsFalse(rows[2].PromptTruncated);
        CollectionAssert.AreEqual(Bytes("User: a\nAssistant: "), rows[2].PromptTokens);
    }
}
