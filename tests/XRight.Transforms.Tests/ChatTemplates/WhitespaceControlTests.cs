using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>
/// Whitespace as apply_chat_template renders it: Jinja with trim_blocks and lstrip_blocks, the <c>-</c> and
/// <c>+</c> markers, normalized newlines and one trailing newline dropped.
/// </summary>
[TestClass]
public sealed class WhitespaceControlTests
{
    [TestMethod]
    public void TrimBlocksEatsTheNewlineAfterATagButNotAfterAPrint()
    {
        Assert.AreEqual("A\nb\nc", Render("{% if true %}\nA\n{% endif %}\n{{ 'b' }}\nc"));
        Assert.AreEqual("x", Render("{# note #}\nx"), "comments trim too");
    }

    [TestMethod]
    public void LstripBlocksRemovesIndentationBeforeATagAtTheStartOfALine()
    {
        Assert.AreEqual("  x\ny", Render("  {% if true %}\n  x\n  {% endif %}\ny"));
        Assert.AreEqual("a\nb", Render("a\n  {# note #}\nb"));
        Assert.AreEqual("\tx", Render("\t{% set v = 1 %}\n\tx"));
    }

    [TestMethod]
    public void LstripBlocksLeavesPrintsAndTagsAfterText()
    {
        Assert.AreEqual("  x", Render("  {{ 'x' }}"));
        Assert.AreEqual("a  b", Render("a  {% if true %}b{% endif %}"));
        Assert.AreEqual("1  x", Render("{{ 1 }}  {% if true %}x{% endif %}"), "the text before the tag does not start a line");
    }

    [TestMethod]
    public void MinusMarkersRemoveAllWhitespaceOnTheirSide()
    {
        Assert.AreEqual("ab", Render("a \n\n {%- if true -%} \n\n b{% endif %}"));
        Assert.AreEqual("abc", Render("a  {{- 'b' -}}  \n c"));
        Assert.AreEqual("ab", Render("a {#- note -#} b"));
        Assert.AreEqual("a\nb", Render("a\n{%- if true %}\n\nb{% endif %}"), "{%- strips before the tag only; trim_blocks then eats one newline");
    }

    [TestMethod]
    public void PlusMarkersKeepWhatTheSettingsWouldRemove()
    {
        Assert.AreEqual("  x", Render("  {%+ if true %}x{% endif %}"));
        Assert.AreEqual("\nx", Render("{% if true +%}\nx{% endif %}"));
    }

    [TestMethod]
    public void NewlinesAreNormalizedAndOneTrailingNewlineIsDropped()
    {
        Assert.AreEqual("x", Render("x\n"));
        Assert.AreEqual("x\n", Render("x\n\n"));
        Assert.AreEqual("a\nb\n", Render("a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n\r\n"));
    }

    [TestMethod]
    public void RawBlocksAreText()
    {
        Assert.AreEqual("{{ not evaluated }} {% if %}", Render("{% raw %}{{ not evaluated }} {% if %}{% endraw %}"));
        Assert.AreEqual("\n  a\nz", Render("{% raw %}\n  a\n  {% endraw %}\nz"), "the closing tag follows lstrip and trim; the opening one does not trim");
    }

    [TestMethod]
    public void AMultiLineTemplateRendersOnlyItsPrints()
    {
        const string source = """
            {%- for m in messages %}
                {%- if m.role == 'user' %}
                    {{- '[U] ' + m.content }}
                {%- else %}
                    {{- '[A] ' + m.content }}
                {%- endif %}
                {{- '\n' }}
            {%- endfor %}
            """;
        Assert.AreEqual("[U] hi\n[A] yo\n", Render(source, messages: Conversation(("user", "hi"), ("assistant", "yo"))));
    }
}
