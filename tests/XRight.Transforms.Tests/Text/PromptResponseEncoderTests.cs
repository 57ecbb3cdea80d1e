using XRight.Tests.Tokenization;
using XRight.Text;
using static XRight.Tests.Tokenization.RealTokenizers;

namespace XRight.Tests.Text;

/// <summary>Prompt and response ids under each EOS policy, against ids looked up in the vocabularies.</summary>
[TestClass]
public sealed class PromptResponseEncoderTests
{
    private const int Gpt2Eos = 50256;

    // HH prompts end with "Assistant:" and responses start with a space: the prompt's ids are a prefix.
    private const string HhPrompt = "User: hi\nAssistant:";

    [TestMethod]
    public void ReferenceCodeAddsSpaceAndEosAfterTrimmingNewlines()
    {
        var (prompt, response) = PromptResponseEncoder.Encode(Gpt2(), HhPrompt, " Sure thing\n\n");
        CollectionAssert.AreEqual(Gpt2Ids("User", ":", "Ġhi", "Ċ", "Assistant", ":"), prompt);
        CollectionAssert.AreEqual(Gpt2Ids("ĠSure", "Ġthing", "Ġ").Append(Gpt2Eos).ToArray(), response);
        CollectionAssert.AreEqual(Gpt2().Encode(HhPrompt + " Sure thing <|endoftext|>"), prompt.Concat(response).ToArray());
    }

    [TestMethod]
    public void ReferenceCodeAddsNoSecondEos()
    {
        var (_, response) = PromptResponseEncoder.Encode(Gpt2(), HhPrompt, " Sure<|endoftext|>");
        CollectionAssert.AreEqual(Gpt2Ids("ĠSure").Append(Gpt2Eos).ToArray(), response);
    }

    [TestMethod]
    public void AppendTokenAndNoneKeepTheResponseAsIs()
    {
        var (_, appended) = PromptResponseEncoder.Encode(Gpt2(), HhPrompt, " Sure thing\n", EosPolicy.AppendToken);
        CollectionAssert.AreEqual(Gpt2Ids("ĠSure", "Ġthing", "Ċ").Append(Gpt2Eos).ToArray(), appended);
        var (_, none) = PromptResponseEncoder.Encode(Gpt2(), HhPrompt, " Sure thing\n", EosPolicy.None);
        CollectionAssert.AreEqual(Gpt2Ids("ĠSure", "Ġthing", "Ċ"), none);
    }

    [TestMethod]
    public void MergeAcrossTheBoundaryFallsBackToTheResponseAlone()
    {
        // The template ends with a space that GPT-2 would join to the response's first word (" Sure"):
        // the prompt keeps its own ids (ending in "Ġ") and the response is tokenized without it.
        var templated = PromptTemplate.UserAssistant.Apply("hi");
        var (prompt, response) = PromptResponseEncoder.Encode(Gpt2(), templated, "Sure thing");
        CollectionAssert.AreEqual(Gpt2Ids("User", ":", "Ġhi", "Ċ", "Assistant", ":", "Ġ"), prompt);
        CollectionAssert.AreEqual(Gpt2Ids("Sure", "Ġthing", "Ġ").Append(Gpt2Eos).ToArray(), response);
    }

    [TestMethod]
    public void NeoXUsesItsOwnEos()
    {
        var templated = PromptTemplate.UserAssistant.Apply("hi");
        var (prompt, response) = PromptResponseEncoder.Encode(NeoX(), templated, "Sure thing", EosPolicy.AppendToken);
        CollectionAssert.AreEqual(NeoXIds("User", ":", "Ġhi", "Ċ", "Ass", "istant", ":", "Ġ"), prompt);
        CollectionAssert.AreEqual(NeoXIds("Sure", "Ġthing", "<|endoftext|>"), response);
    }

    [TestMethod]
    public void BosGoesBeforeThePromptWhenTheTokenizerAddsIt()
    {
        using var folder = new TempDirectory();
        var tokenizer = SentencePieceTokenizerTests.Load(folder);
        const int hello = 271, space = 259, bos = 1, eos = 2;
        var (prompt, response) = PromptResponseEncoder.Encode(tokenizer, "hello", " hello");
        CollectionAssert.AreEqual(new[] { bos, hello }, prompt);
        // "hello hello </s>": the trailing space before </s> is a lone "▁".
        CollectionAssert.AreEqual(new[] { hello, space, eos }, response);
    }

    [TestMethod]
    public void ByteLevelTokenizerGivesBytes()
    {
        var (prompt, response) = PromptResponseEncoder.Encode(CausalLmTokenizer.CreateByteLevel(), "Q:", " é\n");
        CollectionAssert.AreEqual(new[] { 'Q', ':' }.Select(c => (int)c).ToArray(), prompt);
        CollectionAssert.AreEqual(new[] { ' ', 0xC3, 0xA9, ' ', 256 }, response);
    }

    [TestMethod]
    public void RejectsUnknownPolicy()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            PromptResponseEncoder.Encode(CausalLmTokenizer.CreateByteLevel(), "a", "b", (EosPolicy)7));
    }
}
