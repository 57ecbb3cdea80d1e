using XRight.Evaluation;

namespace XRight.Tests.Evaluation;

[TestClass]
public sealed class PythonTextTests
{
    [TestMethod]
    public void StripUsesPythonsWhitespace()
    {
        // ' \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u3000'.strip() == ''
        Assert.AreEqual("", PythonText.Strip(" \t\n\u000b\u000c\r\u001c\u001d\u001e\u001f\u0085\u00a0\u3000"));
        Assert.AreEqual("a b", PythonText.Strip("\u001c a b\u001f\n"));
        Assert.AreEqual("\u001c a", "\u001c a".Trim(), ".NET's Trim keeps U+001C; Python's strip does not");
        Assert.AreEqual(" a", PythonText.RStrip(" a \u2029"));
        Assert.AreEqual("\u200bx", PythonText.Strip("\u200bx"), "a zero-width space is not whitespace in Python");
    }

    [TestMethod]
    public void CapitalizeUpperCasesTheFirstAndLowerCasesTheRest()
    {
        Assert.AreEqual("A few women", PythonText.Capitalize("a few women"));
        Assert.AreEqual("The man. he is", PythonText.Capitalize("tHE MAN. He is"));
        Assert.AreEqual("", PythonText.Capitalize(""));
        Assert.AreEqual("Éclair", PythonText.Capitalize("éCLAIR"));
    }

    [TestMethod]
    public void LengthCountsCodePointsAndLowerMatchesPythonsExpansion()
    {
        Assert.AreEqual(3, PythonText.Length("a😀b"), "len('a😀b') is 3 in Python; .NET's Length is 4");
        Assert.AreEqual(2, PythonText.Length("é\u0301"), "a combining mark is its own code point");
        Assert.AreEqual("i\u0307stanbul", PythonText.Lower("İSTANBUL"), "'İ'.lower() is 'i̇' (two code points) in Python");
        Assert.AreEqual("i'm sorry", PythonText.Lower("I'M SORRY"));
    }
}
