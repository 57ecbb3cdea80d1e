using XRight.Text;

namespace XRight.Tests.Tokenization;

/// <summary>
/// Split behaviours on the example of the Hugging Face tokenizers documentation: "the-final--countdown"
/// split on "-".
/// </summary>
[TestClass]
public sealed class SplitRuleTests
{
    private const string Text = "the-final--countdown";

    private static string[] Split(SplitBehavior behavior, bool invert = false, string pattern = "-") =>
        new SplitRule(SplitRule.Compile(pattern), behavior, invert).Split(Text, 0, Text.Length).Select(p => Text.Substring(p.Offset, p.Length)).ToArray();

    [TestMethod]
    public void BehavioursGroupMatchesAsDocumented()
    {
        CollectionAssert.AreEqual(new[] { "the", "final", "countdown" }, Split(SplitBehavior.Removed));
        CollectionAssert.AreEqual(new[] { "the", "-", "final", "-", "-", "countdown" }, Split(SplitBehavior.Isolated));
        CollectionAssert.AreEqual(new[] { "the-", "final-", "-", "countdown" }, Split(SplitBehavior.MergedWithPrevious));
        CollectionAssert.AreEqual(new[] { "the", "-final", "-", "-countdown" }, Split(SplitBehavior.MergedWithNext));
        CollectionAssert.AreEqual(new[] { "the", "-", "final", "--", "countdown" }, Split(SplitBehavior.Contiguous));
    }

    [TestMethod]
    public void InvertSwapsMatchesAndTheTextBetween()
    {
        CollectionAssert.AreEqual(new[] { "-", "-", "-" }, Split(SplitBehavior.Removed, invert: true));
        // With the words as the pattern, inverted, the dashes are the matches and join the next word.
        CollectionAssert.AreEqual(new[] { "the", "-final", "--countdown" }, Split(SplitBehavior.MergedWithNext, invert: true, pattern: "[a-z]+"));
    }

    [TestMethod]
    public void SplitsOnlyTheGivenRangeAndDropsEmptyPieces()
    {
        var rule = new SplitRule(SplitRule.Compile("x*"), SplitBehavior.Isolated, invert: false);
        // "x*" also matches the empty string between letters: each cut stays, empty pieces go.
        var pieces = rule.Split("--abxxc--", 2, 5).ToArray();
        CollectionAssert.AreEqual(new[] { (2, 1), (3, 1), (4, 2), (6, 1) }, pieces);
    }

    [TestMethod]
    public void Llama3AndQwen2PatternsCompileAndSplit()
    {
        // The Split patterns of the Llama-3 and Qwen2 tokenizer.json files (they differ in how digits group).
        const string llama3 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
        const string qwen2 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
        const string text = "Hello, WORLD'S 12345!\n\n  x";
        string[] SplitWith(string pattern) => new SplitRule(SplitRule.Compile(pattern), SplitBehavior.Isolated, invert: false)
            .Split(text, 0, text.Length).Select(p => text.Substring(p.Offset, p.Length)).ToArray();

        CollectionAssert.AreEqual(new[] { "Hello", ",", " WORLD", "'S", " ", "123", "45", "!\n\n", " ", " x" }, SplitWith(llama3));
        CollectionAssert.AreEqual(new[] { "Hello", ",", " WORLD", "'S", " ", "1", "2", "3", "4", "5", "!\n\n", " ", " x" }, SplitWith(qwen2));
    }

    [TestMethod]
    public void Gpt2PatternSplitsWordsSpacesAndContractions()
    {
        const string text = "I'll  say 42!\n";
        var pieces = SplitRule.Gpt2().Split(text, 0, text.Length).Select(p => text.Substring(p.Offset, p.Length)).ToArray();
        CollectionAssert.AreEqual(new[] { "I", "'ll", " ", " say", " 42", "!", "\n" }, pieces);
    }
}
