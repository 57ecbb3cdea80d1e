using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>Operators, precedence, literals, access and printing, with Python's results.</summary>
[TestClass]
public sealed class ExpressionTests
{
    [TestMethod]
    public void ValuesPrintAsPythonPrintsThem()
    {
        Assert.AreEqual("None|True|False|[1, 'a', None, True, 1.5, {'k': 'v'}]|(1,)|()|(1, 2)",
            Render("{{ none }}|{{ true }}|{{ false }}|{{ [1, 'a', none, true, 1.5, {'k': 'v'}] }}|{{ (1,) }}|{{ () }}|{{ (1, 2) }}"));
        Assert.AreEqual("[\"it's\"] ['say \"hi\"'] ['tab\\there', 'é']", Render("{{ [\"it's\"] }} {{ ['say \"hi\"'] }} {{ ['tab\\there', 'é'] }}"));
    }

    [TestMethod]
    public void FloatsPrintWithPythonsShortestRepr()
    {
        Assert.AreEqual("2.0 0.30000000000000004 1e+16 1000000000000000.0 0.0001 1e-05 1.2345678901234568e+17 -0.0",
            Render("{{ 4 / 2 }} {{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1e15 }} {{ 1e-4 }} {{ 1e-5 }} {{ 123456789012345678.0 }} {{ -0.0 }}"));
    }

    [TestMethod]
    public void ArithmeticFollowsPython()
    {
        Assert.AreEqual("3 -4 3.5 2 -2 1024 64 9", Render("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 / 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** 3 ** 2 }} {{ (1 + 2) * 3 }}"));
        Assert.AreEqual("7 5 -1 2 2.5", Render("{{ 1 + 2 * 3 }} {{ 10 - 2 - 3 }} {{ -1 }} {{ true + true }} {{ 1.5 + 1 }}"));
        Assert.AreEqual("aaa [1, 1] [1, 2] (1, 2) ab|", Render("{{ 'a' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ (1,) + (2,) }} {{ 'a' + 'b' }}|{{ 'a' * -1 }}"));
    }

    [TestMethod]
    public void TildeJoinsAnythingAsText()
    {
        Assert.AreEqual("a1None", Render("{{ 'a' ~ 1 ~ none }}"));
        Assert.AreEqual("ab", Render("{{ 'a' ~ undefined_name ~ 'b' }}"), "undefined is the empty string");
    }

    [TestMethod]
    public void FiltersBindTighterThanOperatorsAndNotLooserThanComparisons()
    {
        Assert.AreEqual("x!", Render("{{ ' x ' | trim + '!' }}"));
        Assert.AreEqual("False", Render("{{ not 'a'|length == 1 }}"));
        Assert.AreEqual("True", Render("{{ not undefined_name is defined }}"));
        Assert.AreEqual("2", Render("{{ -2|abs }}"), "the sign applies before the filter");
    }

    [TestMethod]
    public void ComparisonsChainAndCompareAcrossNumericTypes()
    {
        Assert.AreEqual("True False True True True", Render("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ true == 1 }} {{ [1, 2] < [1, 3] }}"));
        Assert.AreEqual("True True False True", Render("{{ 'b' in {'b': 1} }} {{ 'z' not in 'abc' }} {{ 1 in [] }} {{ (role == 'user') != (0 % 2 == 1) }}", Vars(("role", "user"))));
    }

    [TestMethod]
    public void AndOrReturnTheDecidingOperand()
    {
        Assert.AreEqual("x y | 0 fallback|", Render("{{ true and 'x' }} {{ false or 'y' }} {{ 0 or '' }}| {{ 'a' and 0 }} {{ undefined_name or 'fallback' }}|{{ undefined_name and 'never' }}"));
    }

    [TestMethod]
    public void InlineIf()
    {
        Assert.AreEqual("1 3 no|", Render("{{ 1 if true else 2 }} {{ 1 if false else 2 if false else 3 }} {{ 'yes' if x is defined else 'no' }}|{{ 'x' if false }}"));
    }

    [TestMethod]
    public void SubscriptsAndSlices()
    {
        Assert.AreEqual("[2, 3] [1, 2] [3, 2, 1] [1, 3] def olleh 3 c", Render(
            "{{ [1, 2, 3][1:] }} {{ [1, 2, 3][:-1] }} {{ [1, 2, 3][::-1] }} {{ [1, 2, 3][::2] }} {{ 'abcdef'[-3:] }} {{ 'hello'[::-1] }} {{ [1, 2, 3][-1] }} {{ 'abc'[2] }}"));
        Assert.AreEqual("|[1, 2]|", Render("{{ [1, 2, 3][5] }}|{{ [1, 2][:10] }}|{{ 'abc'[5:] }}"), "out of range is undefined or empty, as in Jinja");
        Assert.AreEqual("b 🎉 4", Render("{{ 'a🎉b'[2] }} {{ 'a🎉b'[1:2] }} {{ 'a🎉bc'|length }}"), "strings are sequences of code points");
    }

    [TestMethod]
    public void AttributesFallBackToItemsAndItemsToAttributes()
    {
        var messages = Conversation(("user", "Hi"));
        Assert.AreEqual("user Hi user |", Render("{{ messages[0].role }} {{ messages[0]['content'] }} {{ messages.0.role }} {{ messages[0].tool_calls }}|", messages: messages));
        Assert.AreEqual("10 20", Render("{{ d.a.b.0 }} {{ d['a']['b'][1] }}", Vars(("d", new Dictionary<string, object?> { ["a"] = new Dictionary<string, object?> { ["b"] = new[] { 10, 20 } } }))));
        Assert.AreEqual("True", Render("{{ 'tool_calls' not in messages[0] }}", messages: messages));
    }

    [TestMethod]
    public void StringMethods()
    {
        Assert.AreEqual("a|a |ax| a|True True True", Render("{{ '  a '.strip() }}|{{ ' a '.lstrip() }}|{{ 'xxaxx'.strip('x') ~ 'x' }}|{{ ' a '.rstrip() }}|{{ 'abc'.startswith('a') }} {{ 'abc'.startswith(('x', 'a')) }} {{ 'abc'.endswith('c') }}"));
        Assert.AreEqual("['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c '] ['a b', 'c']", Render("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ '  a b c '.split(none, 1) }} {{ 'a b c'.rsplit(' ', 1) }}"));
        Assert.AreEqual("ABC abc They'Re Bill Hello world a-b-c", Render("{{ 'abC'.upper() }} {{ 'ABC'.lower() }} {{ \"they're bill\".title() }} {{ 'hELLO wORLD'.capitalize() }} {{ 'a b c'.replace(' ', '-') }}"));
    }

    [TestMethod]
    public void DictAndListLiteralsAndDictMethods()
    {
        Assert.AreEqual("{'b': 1, 'a': 2} 1 None 2 dict_items([('b', 1), ('a', 2)]) dict_keys(['b', 'a'])",
            Render("{% set d = {'b': 1, 'a': 2} %}{{ d }} {{ d.get('b') }} {{ d.get('z') }} {{ d.get('z', 2) }} {{ d.items() }} {{ d.keys() }}"));
    }

    [TestMethod]
    public void StringLiteralsDecodePythonEscapes()
    {
        Assert.AreEqual("a\nb\t\"q\" 'x' Aé😀 \\d ab", Render("{{ 'a\\nb\\t\"q\"' }} {{ \"'x'\" }} {{ '\\x41\\u00e9\\U0001F600' }} {{ '\\d' }} {{ 'a' 'b' }}"));
    }
}
