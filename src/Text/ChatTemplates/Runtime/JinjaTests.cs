namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>The tests (<c>value is name(args)</c>) a chat template may use, each as Jinja 3.1 defines it.</summary>
internal static class JinjaTests
{
    private delegate bool TestBody(object? value, BoundArguments args, RenderState state);

    private sealed record Test(Signature Signature, TestBody Body);

    private static readonly Signature NoArguments = new();
    private static readonly Signature Other = new("other");

    private static readonly Dictionary<string, Test> All = new(StringComparer.Ordinal)
    {
        ["defined"] = new(NoArguments, (value, _, _) => value is not Undefined),
        ["undefined"] = new(NoArguments, (value, _, _) => value is Undefined),
        ["none"] = new(NoArguments, (value, _, _) => value is null),
        ["boolean"] = new(NoArguments, (value, _, _) => value is bool),
        ["true"] = new(NoArguments, (value, _, _) => value is true),
        ["false"] = new(NoArguments, (value, _, _) => value is false),
        ["integer"] = new(NoArguments, (value, _, _) => value is long),
        ["float"] = new(NoArguments, (value, _, _) => value is double),
        ["number"] = new(NoArguments, (value, _, _) => Py.IsNumber(value)),
        ["string"] = new(NoArguments, (value, _, _) => value is string),
        ["mapping"] = new(NoArguments, (value, _, _) => value is PyDict),
        ["iterable"] = new(NoArguments, (value, _, _) => Py.IsIterable(value)),
        // Jinja: anything with a length and items by index (so an undefined value too).
        ["sequence"] = new(NoArguments, (value, _, _) => value is string or List<object?> or object?[] or PyDict or Undefined),
        ["callable"] = new(NoArguments, (value, _, _) => value is ITemplateCallable or Undefined),
        ["lower"] = new(NoArguments, (value, _, _) => HasCase(PyFormat.Str(value), upper: false)),
        ["upper"] = new(NoArguments, (value, _, _) => HasCase(PyFormat.Str(value), upper: true)),
        ["odd"] = new(NoArguments, (value, _, state) => Py.Equal(PyOperators.Binary("%", value, 2L, state), 1L)),
        ["even"] = new(NoArguments, (value, _, state) => Py.Equal(PyOperators.Binary("%", value, 2L, state), 0L)),
        ["divisibleby"] = new(new("num"), (value, args, state) => Py.Equal(PyOperators.Binary("%", value, args.Required("num"), state), 0L)),
        ["eq"] = new(Other, (value, args, _) => Py.Equal(value, args.Required("other"))),
        ["equalto"] = new(Other, (value, args, _) => Py.Equal(value, args.Required("other"))),
        ["=="] = new(Other, (value, args, _) => Py.Equal(value, args.Required("other"))),
        ["ne"] = new(Other, (value, args, _) => !Py.Equal(value, args.Required("other"))),
        ["!="] = new(Other, (value, args, _) => !Py.Equal(value, args.Required("other"))),
        ["lt"] = new(Other, (value, args, _) => Py.Order("<", value, args.Required("other"))),
        ["lessthan"] = new(Other, (value, args, _) => Py.Order("<", value, args.Required("other"))),
        ["<"] = new(Other, (value, args, _) => Py.Order("<", value, args.Required("other"))),
        ["le"] = new(Other, (value, args, _) => Py.Order("<=", value, args.Required("other"))),
        ["<="] = new(Other, (value, args, _) => Py.Order("<=", value, args.Required("other"))),
        ["gt"] = new(Other, (value, args, _) => Py.Order(">", value, args.Required("other"))),
        ["greaterthan"] = new(Other, (value, args, _) => Py.Order(">", value, args.Required("other"))),
        [">"] = new(Other, (value, args, _) => Py.Order(">", value, args.Required("other"))),
        ["ge"] = new(Other, (value, args, _) => Py.Order(">=", value, args.Required("other"))),
        [">="] = new(Other, (value, args, _) => Py.Order(">=", value, args.Required("other"))),
        ["in"] = new(new("seq"), (value, args, _) => Py.Contains(args.Required("seq"), value)),
        ["sameas"] = new(Other, (value, args, _) => SameAs(value, args.Required("other"))),
        ["escaped"] = new(NoArguments, (_, _, _) => false),
    };

    private static readonly HashSet<string> NotSupported = ["filter", "test"];

    /// <summary>Null when <paramref name="name"/> is a supported test, else why it is refused.</summary>
    public static string? Refusal(string name) =>
        All.ContainsKey(name) ? null
        : NotSupported.Contains(name) ? $"the test '{name}' is not supported in chat templates."
        : $"unknown test '{name}'.";

    public static bool Apply(string name, object? value, Arguments arguments, RenderState state)
    {
        if (!All.TryGetValue(name, out var test)) throw new TemplateError(Refusal(name)!);
        return test.Body(value, test.Signature.Bind(name, arguments), state);
    }

    // Python's islower/isupper: at least one cased letter, and every cased letter in that case.
    private static bool HasCase(string s, bool upper)
    {
        bool any = false;
        foreach (char c in s)
        {
            if (!PyStr.IsCased(c)) continue;
            if (upper ? !char.IsUpper(c) : !char.IsLower(c)) return false;
            any = true;
        }
        return any;
    }

    // Python's 'is': none and booleans are singletons; equal strings and numbers count as the same object
    // (as Python's interning of constants makes them); containers are the same only when identical.
    private static bool SameAs(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (bool x, bool y) => x == y,
        (string x, string y) => x == y,
        (long x, long y) => x == y,
        (double x, double y) => x.Equals(y),
        _ => ReferenceEquals(a, b),
    };
}
