namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// The functions every chat template can call: Jinja's <c>range</c>, <c>dict</c> and <c>namespace</c>, and
/// Hugging Face's <c>raise_exception(message)</c> and <c>strftime_now(format)</c>.
/// </summary>
internal static class Globals
{
    // Jinja's sandbox refuses longer ranges.
    private const int MaxRange = 100_000;

    public static IEnumerable<KeyValuePair<string, object?>> All()
    {
        yield return Function("range", Signature.Variadic, (args, _) => Range(args));
        yield return Function("dict", Signature.Variadic, (args, _) => Dict(args, "dict"));
        yield return Function("namespace", Signature.Variadic, (args, _) => Namespace(args));
        yield return Function("raise_exception", new Signature("message"), (args, _) =>
            throw new RaisedByTemplateError(PyFormat.Str(args.Required("message"))));
        yield return Function("strftime_now", new Signature("format"), (args, state) =>
            Strftime.Format(state.Clock.GetLocalNow(), args.Required("format") as string
                ?? throw new TemplateError("strftime_now() argument must be a string")));
        foreach (var name in new[] { "lipsum", "cycler", "joiner" })
            yield return Function(name, Signature.Variadic, (_, _) => throw new TemplateError($"the function '{name}' is not supported in chat templates"));
    }

    private static KeyValuePair<string, object?> Function(string name, Signature signature, Func<BoundArguments, RenderState, object?> body) =>
        new(name, new BuiltinFunction(name, signature, body));

    private static List<object?> Range(BoundArguments args)
    {
        if (args.Named.Count > 0) throw new TemplateError("range() takes no keyword arguments");
        if (args.Positional.Count is < 1 or > 3) throw new TemplateError($"range expected 1 to 3 arguments, got {args.Positional.Count}");
        var bounds = args.Positional.Select(value => value is bool or long
            ? Py.ToLong(value)
            : throw new TemplateError($"'{Py.TypeName(value)}' object cannot be interpreted as an integer")).ToArray();
        long start = bounds.Length > 1 ? bounds[0] : 0, stop = bounds.Length > 1 ? bounds[1] : bounds[0], step = bounds.Length > 2 ? bounds[2] : 1;
        if (step == 0) throw new TemplateError("range() arg 3 must not be zero");
        long count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0) : (start > stop ? (start - stop - step - 1) / -step : 0);
        if (count > MaxRange) throw new TemplateError($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        var items = new List<object?>((int)count);
        for (long i = 0; i < count; i++) items.Add(start + i * step);
        return items;
    }

    // dict(mapping?, **kwargs), as Python builds it.
    private static PyDict Dict(BoundArguments args, string function)
    {
        if (args.Positional.Count > 1) throw new TemplateError($"{function}() expected at most 1 positional argument, got {args.Positional.Count}");
        var dict = new PyDict();
        if (args.Positional.Count == 1)
        {
            switch (args.Positional[0])
            {
                case PyDict source:
                    foreach (var (key, value) in source) dict.Set(key, value);
                    break;
                case var pairs:
                    foreach (var pair in Py.Iterate(pairs))
                    {
                        var items = Py.Iterate(pair).ToList();
                        if (items.Count != 2) throw new TemplateError($"{function}(): each item must be a pair, not {items.Count} values");
                        dict.Set(items[0], items[1]);
                    }
                    break;
            }
        }
        foreach (var (key, value) in args.Named) dict.Set(key, value);
        return dict;
    }

    private static Namespace Namespace(BoundArguments args)
    {
        var ns = new Namespace();
        foreach (var (key, value) in Dict(args, "namespace"))
            ns.Attributes[key as string ?? throw new TemplateError("namespace() keys must be strings")] = value;
        return ns;
    }
}
