namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>A value the template can call: a global function, a method bound to a value, <c>loop.cycle</c>.</summary>
internal interface ITemplateCallable
{
    string Name { get; }

    object? Call(Arguments arguments, RenderState state);
}

/// <summary>The evaluated arguments of a call, filter or test.</summary>
internal sealed record Arguments(IReadOnlyList<object?> Positional, IReadOnlyList<KeyValuePair<string, object?>> Named)
{
    public static Arguments None { get; } = new([], []);
}

/// <summary>
/// The parameter names of a function, filter, test or method, in order, so that arguments can be given by
/// position or by name as in Python. Errors use Python's wording and name the function.
/// </summary>
internal sealed class Signature
{
    private readonly string[] _parameters;
    private readonly bool _variadic;

    public Signature(params string[] parameters) => _parameters = parameters;

    private Signature(bool variadic)
    {
        _parameters = [];
        _variadic = variadic;
    }

    /// <summary>Any arguments, positional and named (<c>loop.cycle(a, b)</c>, <c>namespace(x=1)</c>, <c>dict(a=1)</c>).</summary>
    public static Signature Variadic { get; } = new(variadic: true);

    public BoundArguments Bind(string function, Arguments arguments)
    {
        if (_variadic)
            return new BoundArguments(function, arguments.Positional, arguments.Named.ToDictionary(StringComparer.Ordinal), arguments.Named);
        if (arguments.Positional.Count > _parameters.Length)
            throw new TemplateError($"{function}() takes at most {_parameters.Length} argument{(_parameters.Length == 1 ? "" : "s")} ({arguments.Positional.Count} given)");
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < arguments.Positional.Count; i++) values[_parameters[i]] = arguments.Positional[i];
        foreach (var (name, value) in arguments.Named)
        {
            if (!_parameters.Contains(name)) throw new TemplateError($"{function}() got an unexpected keyword argument '{name}'");
            if (!values.TryAdd(name, value)) throw new TemplateError($"{function}() got multiple values for argument '{name}'");
        }
        return new BoundArguments(function, arguments.Positional, values, arguments.Named);
    }
}

/// <summary>Arguments matched to parameter names.</summary>
internal sealed class BoundArguments(
    string function, IReadOnlyList<object?> positional, Dictionary<string, object?> values, IReadOnlyList<KeyValuePair<string, object?>> named)
{
    /// <summary>The positional arguments as given (for variadic functions).</summary>
    public IReadOnlyList<object?> Positional { get; } = positional;

    /// <summary>The named arguments as given, in order (for variadic functions).</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Named { get; } = named;

    public bool Has(string name) => values.ContainsKey(name);

    public object? Get(string name, object? fallback = null) => values.TryGetValue(name, out var value) ? value : fallback;

    public object? Required(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new TemplateError($"{function}() missing required argument '{name}'");
}

/// <summary>A global function (<c>range</c>, <c>namespace</c>, <c>raise_exception</c>, …) or <c>loop.cycle</c>.</summary>
internal sealed class BuiltinFunction(string name, Signature signature, Func<BoundArguments, RenderState, object?> body) : ITemplateCallable
{
    public string Name { get; } = name;

    public object? Call(Arguments arguments, RenderState state) => body(signature.Bind(Name, arguments), state);
}

/// <summary>A method looked up on a value, such as <c>'text'.strip</c> or <c>message.items</c>.</summary>
internal sealed class BoundMethod(object? target, string name, Signature signature, Func<object?, BoundArguments, RenderState, object?> body) : ITemplateCallable
{
    public string Name { get; } = name;

    public object? Call(Arguments arguments, RenderState state) => body(target, signature.Bind(Name, arguments), state);
}
