using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>for, if, set, namespace, with and the block forms, with Jinja's scoping rules.</summary>
[TestClass]
public sealed class StatementTests
{
    [TestMethod]
    public void LoopVariables()
    {
        Assert.AreEqual("1/0/3/2/True/False;2/1/2/1/False/False;3/2/1/0/False/True;",
            Render("{% for x in 'abc' %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }};{% endfor %}"));
        Assert.AreEqual("3 3 3 ", Render("{% for x in [7, 8, 9] %}{{ loop.length }} {% endfor %}"));
        Assert.AreEqual("-8,7-9,8-,", Render("{% for x in [7, 8, 9] %}{{ loop.previtem }}-{{ loop.nextitem }},{% endfor %}"));
        Assert.AreEqual("abab", Render("{% for x in range(4) %}{{ loop.cycle('a', 'b') }}{% endfor %}"));
    }

    [TestMethod]
    public void ElseRunsWhenNothingIsIterated()
    {
        Assert.AreEqual("empty", Render("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}"));
        Assert.AreEqual("empty", Render("{% for x in [1, 2] if x > 5 %}{{ x }}{% else %}empty{% endfor %}"));
        Assert.AreEqual("empty", Render("{% for x in undefined_name %}{{ x }}{% else %}empty{% endfor %}"), "undefined iterates as empty");
    }

    [TestMethod]
    public void ALoopFilterCountsOnlyTheItemsThatPass()
    {
        Assert.AreEqual("1/2:2 2/2:3 ", Render("{% for x in [1, 2, 3] if x > 1 %}{{ loop.index }}/{{ loop.length }}:{{ x }} {% endfor %}"));
    }

    [TestMethod]
    public void BreakAndContinue()
    {
        Assert.AreEqual("13", Render("{% for x in [1, 2, 3, 4, 5] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}"));
    }

    [TestMethod]
    public void TupleUnpacking()
    {
        Assert.AreEqual("a=1;b=2;", Render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}"));
        Assert.AreEqual("a=1;", Render("{% for k, v in {'a': 1}|items %}{{ k }}={{ v }};{% endfor %}"));
        Assert.AreEqual("1 2", Render("{% set a, b = [1, 2] %}{{ a }} {{ b }}"));
    }

    [TestMethod]
    public void ASetInsideALoopDoesNotLeakOrSurviveTheIteration()
    {
        Assert.AreEqual("1212|1", Render("{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = x + 1 %}{{ x }}{% endfor %}|{{ x }}"));
        Assert.AreEqual("|", Render("{% for i in [1, 2] %}{% if i == 2 %}{{ y }}{% endif %}{% set y = i %}{% endfor %}|{{ y }}"));
        Assert.AreEqual("129", Render("{% set i = 9 %}{% for i in [1, 2] %}{{ i }}{% endfor %}{{ i }}"), "the loop variable does not replace the outer one");
        Assert.AreEqual("1020", Render("{% for i in [1, 2] %}{% set i = i * 10 %}{{ i }}{% endfor %}"), "rebinding the loop variable inside the body");
    }

    [TestMethod]
    public void IfOpensNoScopeAndTopLevelSetRebindsContextVariables()
    {
        Assert.AreEqual("3", Render("{% if true %}{% set z = 3 %}{% endif %}{{ z }}"));
        Assert.AreEqual("1:b", Render("{% set messages = messages[1:] %}{{ messages|length }}:{{ messages[0].content }}",
            messages: Conversation(("system", "a"), ("user", "b"))));
    }

    [TestMethod]
    public void NamespaceAttributesCarryValuesOutOfLoops()
    {
        Assert.AreEqual("True", Render("{% set ns = namespace(found=false) %}{% for m in [1, 2, 3] %}{% if m == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}"));
        Assert.AreEqual("8", Render("{% set ns = namespace(x=1) %}{% for i in range(3) %}{% set ns.x = ns.x * 2 %}{% endfor %}{{ ns.x }}"));
        Assert.AreEqual("<Namespace {'a': 1}>|1|", Render("{% set ns = namespace(a=1) %}{{ ns }}|{{ ns['a'] }}|{{ ns.missing }}"));
    }

    [TestMethod]
    public void BlockSetWithAndFilterBlocksHaveTheirOwnScope()
    {
        Assert.AreEqual("[ X ]|", Render("{% set b | upper %} x {% set inner = 1 %}{% endset %}[{{ b }}]|{{ inner }}"));
        Assert.AreEqual("3|", Render("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}|{{ a }}"));
        Assert.AreEqual("AB", Render("{% filter trim | upper %}  ab  {% endfilter %}"));
        Assert.AreEqual("gen 1", Render("{% generation %}gen {{ 1 }}{% endgeneration %}"), "transformers' generation tag renders its body");
    }

    [TestMethod]
    public void IfElifElse()
    {
        const string source = "{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %}";
        Assert.AreEqual("one", Render(source, Vars(("n", 1))));
        Assert.AreEqual("two", Render(source, Vars(("n", 2))));
        Assert.AreEqual("many", Render(source, Vars(("n", 3))));
    }
}
