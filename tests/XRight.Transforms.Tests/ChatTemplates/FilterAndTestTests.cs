using System.Text.Json.Nodes;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>The supported filters and tests, each against Jinja's (and, for tojson, Hugging Face's) result.</summary>
[TestClass]
public sealed class FilterAndTestTests
{
    [TestMethod]
    public void TextFilters()
    {
        Assert.AreEqual("x|a|ABC|abc|Hello world|Hello World-Foo(Bar|a-b-c|a-bXc|-a-b-c-", Render(
            "{{ '  x  '|trim }}|{{ 'xxaxx'|trim('x') }}|{{ 'abc'|upper }}|{{ 'ABC'|lower }}|{{ 'hELLO wORLD'|capitalize }}|{{ 'hello world-foo(bar'|title }}" +
            "|{{ 'aXbXc'|replace('X', '-') }}|{{ 'aXbXc'|replace('X', '-', 1) }}|{{ 'abc'|replace('', '-') }}"));
        Assert.AreEqual("a\n  b|  a\n  b|a\n\n  b\n", Render("{{ 'a\\nb'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb\\n'|indent(2) }}"));
        Assert.AreEqual("&lt;a href=&#34;x&#34;&gt; <b>", Render("{{ '<a href=\"x\">'|e }} {{ '<b>'|safe }}"));
    }

    [TestMethod]
    public void SequenceFilters()
    {
        Assert.AreEqual("2 5 1 1 2 c |", Render("{{ {'a': 1, 'b': 2}|length }} {{ 'héllo'|count }} {{ [1, 2]|first }} {{ 'abc'|first|length }} {{ [1, 2]|last }} {{ 'abc'|last }} {{ []|first }}|"));
        Assert.AreEqual("a, b 12 x-y", Render("{{ ['a', 'b']|join(', ') }} {{ [1, 2]|join }} {{ [{'a': 'x'}, {'a': 'y'}]|join('-', attribute='a') }}"));
        Assert.AreEqual("['a', 'b'] ['a', 'b'] [2, 1, 3] cba [1, 2, 3] [3, 2, 1] ['A', 'b', 'c']", Render(
            "{{ 'ab'|list }} {{ {'a': 1, 'b': 2}|list }} {{ [3, 1, 2]|reverse|list }} {{ 'abc'|reverse }} {{ [3, 1, 2]|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ ['b', 'A', 'c']|sort }}"));
        Assert.AreEqual("[('a', 1)]", Render("{{ {'a': 1}|items|list }}"));
    }

    [TestMethod]
    public void SelectRejectAndMap()
    {
        var messages = Conversation(("system", "s"), ("user", "u1"), ("assistant", "a"), ("user", "u2"));
        Assert.AreEqual("2 u2 system,user,assistant,user 1", Render(
            "{{ messages|selectattr('role', 'equalto', 'user')|list|length }} {{ (messages|selectattr('role', 'eq', 'user')|list|last).content }} " +
            "{{ messages|map(attribute='role')|join(',') }} {{ messages|rejectattr('role', 'in', ['user', 'assistant'])|list|length }}", messages: messages));
        Assert.AreEqual("[1, 3] [2] [2, 3] ['1', '2'] ['A', 'B'] [1, 0]", Render(
            "{{ [1, 2, 3]|select('odd')|list }} {{ [1, 2, 3]|reject('odd')|list }} {{ [1, 2, 3]|select('gt', 1)|list }} {{ [1, 2]|map('string')|list }} " +
            "{{ ['a', 'b']|map('upper')|list }} {{ [{'a': 1}, {}]|map(attribute='a', default=0)|list }}"));
    }

    [TestMethod]
    public void GeneratorsAreTrueAndUsedUpOnce()
    {
        Assert.AreEqual("yes", Render("{% if []|selectattr('a') %}yes{% endif %}"), "a generator is true even when empty, as in Jinja");
        Assert.AreEqual("13;", Render("{% set g = [1, 2, 3]|select('odd') %}{% for i in g %}{{ i }}{% endfor %};{% for i in g %}{{ i }}{% endfor %}"));
        StringAssert.Contains(Failure("{{ [1]|select('odd')|length }}").Message, "object of type 'generator' has no len()");
    }

    [TestMethod]
    public void ConversionFilters()
    {
        Assert.AreEqual("3 3 3 0 3 5 26 1 42", Render("{{ 3|int }} {{ '3'|int }} {{ '3.7'|int }} {{ 'x'|int }} {{ 3.9|int }} {{ 'x'|int(5) }} {{ '0x1A'|int(0, 16) }} {{ true|int }} {{ ' 42 '|int }}"));
        Assert.AreEqual("3.0 2.5 0.0 5 [1] None", Render("{{ 3|float }} {{ '2.5'|float }} {{ 'x'|float }} {{ 5|string }} {{ [1]|string }} {{ none|string }}"));
        Assert.AreEqual("d  d None e", Render("{{ x|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ none|default('d') }} {{ x|d('e') }}"));
    }

    [TestMethod]
    public void ToJsonIsPythonsJsonDumpsWithoutAsciiEscaping()
    {
        Assert.AreEqual("{\"a\": 1, \"b\": [1.0, null, true, \"é\\\"<\\n\"]}", Render("{{ {'a': 1, 'b': [1.0, none, true, 'é\"<\\n']}|tojson }}"));
        Assert.AreEqual("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}", Render("{{ {'a': [1, 2], 'b': {}}|tojson(indent=2) }}"));
        Assert.AreEqual("{\"a\": 2, \"b\": 1} [1,2] \"\\u00e9\"", Render("{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }} {{ [1, 2]|tojson(separators=(',', ':')) }} {{ 'é'|tojson(ensure_ascii=true) }}"));
        var tool = JsonNode.Parse("""{"name": "f", "n": 3, "x": 2.5, "ok": false, "tags": ["ü"]}""");
        Assert.AreEqual("{\"name\": \"f\", \"n\": 3, \"x\": 2.5, \"ok\": false, \"tags\": [\"ü\"]}", Render("{{ t|tojson }}", Vars(("t", tool))), "JSON from the caller keeps its key order and number kinds");
    }

    [TestMethod]
    public void Tests()
    {
        Assert.AreEqual("False True True True False False True False", Render(
            "{{ x is defined }} {{ none is none }} {{ 'a' is string }} {{ {} is mapping }} {{ 1 is iterable }} {{ 'a' is not string }} {{ x is iterable }} {{ none is not none }}"));
        Assert.AreEqual("True True False True True True True True True True True", Render(
            "{{ 1 is number }} {{ true is boolean }} {{ true is integer }} {{ 1.0 is float }} {{ 2 is even }} {{ 3 is odd }} {{ 9 is divisibleby 3 }} " +
            "{{ 1 is equalto 1 }} {{ 'a' is in 'abc' }} {{ none is sameas none }} {{ 'abc' is lower }}"));
    }
}
