using XRight.Text;
using static XRight.Tests.ChatTemplates.ChatTemplateTestKit;

namespace XRight.Tests.ChatTemplates;

/// <summary>Refused constructs and failures name the line and the construct; the template's own errors pass through.</summary>
[TestClass]
public sealed class ErrorTests
{
    [TestMethod]
    [DataRow("a\nb\n{% frobnicate %}", 3, "unknown tag 'frobnicate'")]
    [DataRow("{{ x | frobnicate }}", 1, "unknown filter 'frobnicate'")]
    [DataRow("\n{{ x is frobnicated }}", 2, "unknown test 'frobnicated'")]
    [DataRow("{{ x | groupby('a') }}", 1, "the filter 'groupby' is not supported")]
    [DataRow("{% macro m() %}x{% endmacro %}", 1, "the tag 'macro' is not supported")]
    [DataRow("{% include 'other.jinja' %}", 1, "the tag 'include' is not supported: a chat template cannot load other templates")]
    [DataRow("{% for x in y recursive %}{% endfor %}", 1, "recursive for loops are not supported")]
    [DataRow("{{ f(*args) }}", 1, "unpacking arguments with '*' is not supported")]
    [DataRow("{% if true %}\n{% for x in y %}\n{% endif %}", 3, "unknown tag 'endif'; expected 'else' or 'endfor' for the 'for' opened at line 2")]
    [DataRow("\n{% if true %}x", 2, "the template ended before 'elif' or 'else' or 'endif' closed the 'if' opened at line 2")]
    [DataRow("{{ 'never closed }}", 1, "a string literal is never closed")]
    [DataRow("{# never closed", 1, "the comment '{#' is never closed")]
    [DataRow("{{ 1 + }}", 1, "expected an expression, found end of print statement '}}'")]
    [DataRow("{% break %}", 1, "'break' outside a for loop")]
    public void SyntaxErrorsNameTheLineAndConstruct(string source, int line, string message)
    {
        var error = Assert.ThrowsExactly<ChatTemplateException>(() => ChatTemplate.Parse(source));
        StringAssert.StartsWith(error.Message, $"Chat template line {line}: ");
        StringAssert.Contains(error.Message, message);
        Assert.AreEqual(line, error.Line);
        Assert.IsFalse(error.RaisedByTemplate);
    }

    [TestMethod]
    [DataRow("a\n{{ x.y }}", 2, "'x' is undefined")]
    [DataRow("{{ m.missing + 'a' }}", 1, "'dict object' has no attribute 'missing'")]
    [DataRow("{{ 'a' + 1 }}", 1, "can only concatenate str (not \"int\") to str")]
    [DataRow("{{ [1][5].x }}", 1, "list object has no element 5")]
    [DataRow("\n\n{% for x in 5 %}{% endfor %}", 3, "'int' object is not iterable")]
    [DataRow("{{ 1 // 0 }}", 1, "integer division or modulo by zero")]
    [DataRow("{{ none|length }}", 1, "object of type 'NoneType' has no len()")]
    [DataRow("{{ x|tojson }}", 1, "Object of type Undefined is not JSON serializable")]
    [DataRow("{{ [].append(1) }}", 1, "access to attribute 'append' of 'list' object is unsafe")]
    [DataRow("{% set ns.x = 1 %}", 1, "which is not a namespace() object")]
    [DataRow("{% set a, b = [1] %}", 1, "not enough values to unpack (expected 2, got 1)")]
    [DataRow("{{ 'x'.zfill(3) }}", 1, "the str method 'zfill' is not supported")]
    [DataRow("{{ 'a%s' % 1 }}", 1, "'%' string formatting is not supported")]
    [DataRow("{{ 2 ** 64 }}", 1, "integer overflow")]
    public void RuntimeErrorsNameTheLine(string source, int line, string message)
    {
        var error = Failure(source, Vars(("m", new Dictionary<string, object?>())));
        StringAssert.StartsWith(error.Message, $"Chat template line {line}: ");
        StringAssert.Contains(error.Message, message);
        Assert.AreEqual(line, error.Line);
    }

    [TestMethod]
    public void RaiseExceptionPassesTheTemplatesMessageThrough()
    {
        var error = Failure("x\n{% if true %}{{ raise_exception('Only ' ~ 2 ~ ' roles!') }}{% endif %}");
        Assert.AreEqual("Only 2 roles!", error.Message);
        Assert.IsTrue(error.RaisedByTemplate);
        Assert.AreEqual(2, error.Line);
    }

    [TestMethod]
    public void UndefinedValuesPrintAsNothingAndAreFalse()
    {
        Assert.AreEqual("|False|0|no|True|", Render("{{ x }}|{{ x is defined }}|{{ x|length }}|{% if x %}yes{% else %}no{% endif %}|{{ x == y }}|{% for i in x %}{{ i }}{% endfor %}"));
        Assert.AreEqual("|", Render("{{ m.tool_calls }}|{{ m.tool_calls|default('') }}", Vars(("m", new Dictionary<string, object?>()))));
    }

    [TestMethod]
    public void TheTemplateReachesNoDotNetMember()
    {
        Assert.AreEqual("||||", Render("{{ s.Length }}|{{ s.GetType }}|{{ s.__class__ }}|{{ messages.Count }}|{{ messages[0].Role }}",
            Vars(("s", "text")), Conversation(("user", "Hi"))));
    }

    [TestMethod]
    public void ExtraAcceptsOnlyPlainValues()
    {
        var template = ChatTemplate.Parse("{{ x }}");
        var error = Assert.ThrowsExactly<ArgumentException>(() => template.Render([], extra: Vars(("x", new FileInfo("a.txt")))));
        StringAssert.Contains(error.Message, "'x' is a FileInfo");
        Assert.ThrowsExactly<ArgumentException>(() => template.Render([], extra: Vars(("messages", "m"))));
        Assert.AreEqual("[1, 'a', None, True, 2.5, {'k': [1]}]", template.Render([], extra: Vars(("x", new object?[] { 1, "a", null, true, 2.5, new Dictionary<string, object?> { ["k"] = new List<int> { 1 } } }))));
    }

    [TestMethod]
    public void LoopIterationsAndOutputAreBounded()
    {
        var loops = ChatTemplate.Parse("{% for i in range(10) %}{% for j in range(10) %}{% endfor %}{% endfor %}").WithLimits(new ChatTemplateLimits(MaxLoopIterations: 50));
        StringAssert.Contains(Assert.ThrowsExactly<ChatTemplateException>(() => loops.Render([])).Message, "more than 50 loop iterations (ChatTemplateLimits.MaxLoopIterations)");

        var output = ChatTemplate.Parse("{% for i in range(100) %}0123456789{% endfor %}").WithLimits(new ChatTemplateLimits(MaxOutputLength: 500));
        StringAssert.Contains(Assert.ThrowsExactly<ChatTemplateException>(() => output.Render([])).Message, "longer than 500 characters (ChatTemplateLimits.MaxOutputLength)");

        var repeated = ChatTemplate.Parse("{% set s = 'ab' * 1000000000 %}").WithLimits(new ChatTemplateLimits(MaxOutputLength: 1000));
        StringAssert.Contains(Assert.ThrowsExactly<ChatTemplateException>(() => repeated.Render([])).Message, "longer than 1000 characters");

        StringAssert.Contains(Failure("{{ range(200000)|length }}").Message, "Range too big");
        StringAssert.Contains(Assert.ThrowsExactly<ChatTemplateException>(() => ChatTemplate.Parse("{{ " + new string('(', 300) + "1" + new string(')', 300) + " }}")).Message,
            "more than 200 deep");
    }

    [TestMethod]
    public void StrftimeNowReadsTheInjectedClock()
    {
        var template = ChatTemplate.Parse("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%A, %B %-d, %I %p') }}")
            .WithClock(new FixedClock(2024, 7, 26, 9, 5));
        Assert.AreEqual("26 Jul 2024|2024-07-26 09:05:00|Friday, July 26, 09 AM", template.Render([]));
        StringAssert.Contains(Assert.ThrowsExactly<ChatTemplateException>(() => ChatTemplate.Parse("{{ strftime_now('%Q') }}").Render([])).Message,
            "the format directive '%Q' is not supported");
    }
}
