namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// The Python methods a template can call on strings (<c>strip</c>, <c>split</c>, <c>startswith</c>, …) and
/// dicts (<c>items</c>, <c>keys</c>, <c>values</c>, <c>get</c>). As in Jinja's immutable sandbox, a method that would
/// modify a list or dict (<c>append</c>, <c>update</c>, …) is unsafe; other Python methods exist but fail
/// when called, naming the method, rather than behaving differently from Python.
/// </summary>
internal static class Methods
{
    private static readonly HashSet<string> StringMethods =
    [
        "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format", "format_map",
        "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
        "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition",
        "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split",
        "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill",
    ];

    private static readonly HashSet<string> DictMethods =
        ["clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"];

    private static readonly HashSet<string> ListMethods =
        ["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"];

    private static readonly HashSet<string> TupleMethods = ["count", "index"];

    private static readonly HashSet<string> Modifying =
        ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort", "popitem", "setdefault", "update"];

    /// <summary>The method <paramref name="name"/> of <paramref name="target"/>, when Python's type has one.</summary>
    public static bool TryGet(object? target, string name, out object? method)
    {
        var names = target switch
        {
            string => StringMethods,
            PyDict => DictMethods,
            List<object?> => ListMethods,
            object?[] => TupleMethods,
            _ => null,
        };
        method = null;
        if (names is null || !names.Contains(name)) return false;
        if (target is PyDict or List<object?> && Modifying.Contains(name))
            method = Undefined.Unsafe(target, name);
        else
            method = target switch
            {
                string s => StringMethod(s, name),
                PyDict dict => DictMethod(dict, name),
                _ => null,
            } ?? Unsupported(target, name);
        return true;
    }

    private static BoundMethod Unsupported(object? target, string name) =>
        new(target, name, Signature.Variadic, (_, _, _) =>
            throw new TemplateError($"the {Py.TypeName(target)} method '{name}' is not supported in chat templates"));

    private static BoundMethod? StringMethod(string s, string name) => name switch
    {
        "strip" or "lstrip" or "rstrip" => Method(s, name, ["chars"], args =>
            PyStr.Strip(s, OptionalString(args, name, "chars"), start: name != "rstrip", end: name != "lstrip")),
        "startswith" => Method(s, name, ["prefix"], args => Affixes(args, name, "prefix").Any(p => s.StartsWith(p, StringComparison.Ordinal))),
        "endswith" => Method(s, name, ["suffix"], args => Affixes(args, name, "suffix").Any(p => s.EndsWith(p, StringComparison.Ordinal))),
        "split" => Method(s, name, ["sep", "maxsplit"], args => PyStr.Split(s, OptionalString(args, name, "sep"), MaxSplit(args))),
        "rsplit" => Method(s, name, ["sep", "maxsplit"], args => PyStr.RSplit(s, OptionalString(args, name, "sep"), MaxSplit(args))),
        "splitlines" => Method(s, name, [], _ => PyStr.SplitLines(s).Cast<object?>().ToList()),
        "upper" => Method(s, name, [], _ => s.ToUpperInvariant()),
        "lower" => Method(s, name, [], _ => s.ToLowerInvariant()),
        "title" => Method(s, name, [], _ => PyStr.Title(s)),
        "capitalize" => Method(s, name, [], _ => PyStr.Capitalize(s)),
        "replace" => new BoundMethod(s, name, new Signature("old", "new", "count"), (_, args, state) =>
            PyStr.Replace(s, RequiredString(args, name, "old"), RequiredString(args, name, "new"), OptionalInteger(args, name, "count") ?? -1, state)),
        "find" => Method(s, name, ["sub"], args => Find(s, RequiredString(args, name, "sub"))),
        "count" => Method(s, name, ["sub"], args => Count(s, RequiredString(args, name, "sub"))),
        "removeprefix" => Method(s, name, ["prefix"], args =>
            RequiredString(args, name, "prefix") is var p && s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s),
        "removesuffix" => Method(s, name, ["suffix"], args =>
            RequiredString(args, name, "suffix") is var p && p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s),
        "join" => new BoundMethod(s, name, new Signature("iterable"), (_, args, state) => Join(s, args.Required("iterable"), state)),
        _ => null,
    };

    private static BoundMethod? DictMethod(PyDict dict, string name) => name switch
    {
        "get" => Method(dict, name, ["key", "default"], args => dict.TryGetValue(args.Required("key"), out var value) ? value : args.Get("default")),
        "items" => Method(dict, name, [], _ => new DictView("dict_items", dict.Select(pair => (object?)new[] { pair.Key, pair.Value }).ToList())),
        "keys" => Method(dict, name, [], _ => new DictView("dict_keys", dict.Keys.ToList())),
        "values" => Method(dict, name, [], _ => new DictView("dict_values", dict.Values.ToList())),
        _ => null,
    };

    private static BoundMethod Method(object? target, string name, string[] parameters, Func<BoundArguments, object?> body) =>
        new(target, name, new Signature(parameters), (_, args, _) => body(args));

    private static string? OptionalString(BoundArguments args, string method, string parameter) => args.Get(parameter) switch
    {
        null => null,
        string s => s,
        var other => throw new TemplateError($"{method}() argument '{parameter}' must be str or None, not {Py.TypeName(other)}"),
    };

    private static string RequiredString(BoundArguments args, string method, string parameter) =>
        args.Required(parameter) as string ?? throw new TemplateError($"{method}() argument '{parameter}' must be str, not {Py.TypeName(args.Get(parameter))}");

    private static long? OptionalInteger(BoundArguments args, string method, string parameter) => args.Get(parameter) switch
    {
        null => null,
        bool or long => Py.ToLong(args.Get(parameter)),
        var other => throw new TemplateError($"{method}() argument '{parameter}' must be int, not {Py.TypeName(other)}"),
    };

    private static long MaxSplit(BoundArguments args) => OptionalInteger(args, "split", "maxsplit") ?? -1;

    // startswith/endswith take one string or a tuple of strings.
    private static IEnumerable<string> Affixes(BoundArguments args, string method, string parameter) => args.Required(parameter) switch
    {
        string s => [s],
        object?[] tuple when tuple.All(item => item is string) => tuple.Cast<string>(),
        var other => throw new TemplateError($"{method} first arg must be str or a tuple of str, not {Py.TypeName(other)}"),
    };

    private static long Find(string s, string sub)
    {
        int at = s.IndexOf(sub, StringComparison.Ordinal);
        return at < 0 ? -1 : PyStr.Length(s[..at]);
    }

    private static long Count(string s, string sub)
    {
        if (sub.Length == 0) return PyStr.Length(s) + 1;
        long count = 0;
        for (int at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string Join(string separator, object? iterable, RenderState state)
    {
        var parts = new List<string>();
        long length = 0;
        foreach (var item in Py.Iterate(iterable))
        {
            if (item is not string part)
                throw new TemplateError($"sequence item {parts.Count}: expected str instance, {Py.TypeName(item)} found");
            length += part.Length + (parts.Count > 0 ? separator.Length : 0);
            state.CheckLength(length);
            parts.Add(part);
        }
        return string.Join(separator, parts);
    }
}
