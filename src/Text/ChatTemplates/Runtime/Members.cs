namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Jinja's attribute and item access. <c>x.name</c> looks for an attribute (for a dict: one of its methods)
/// and then the item <c>'name'</c>; <c>x[key]</c> looks for the item and then, for a string key, the attribute.
/// What is not found is <see cref="Undefined"/>, never an error; accessing anything on an undefined value is.
/// No .NET member is ever reached: only the values' Python attributes and methods listed here exist.
/// </summary>
internal static class Members
{
    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case Undefined undefined:
                throw undefined.Fail();
            case Namespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Undefined.Attribute(ns, name);
            case LoopContext loop:
                return loop.TryGet(name, out var loopAttribute) ? loopAttribute : Undefined.Attribute(loop, name);
        }
        if (Methods.TryGet(target, name, out var method)) return method;
        if (target is PyDict dict && dict.TryGetValue(name, out var item)) return item;
        return Undefined.Attribute(target, name);
    }

    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case Undefined undefined:
                throw undefined.Fail();
            case PyDict dict when dict.TryGetValue(key, out var value):
                return value;
            case IReadOnlyList<object?> items when key is bool or long:
                long index = Py.ToLong(key);
                if (index < 0) index += items.Count;
                if (index >= 0 && index < items.Count) return items[(int)index];
                break;
            case string s when key is bool or long:
                if (PyStr.At(s, Py.ToLong(key)) is { } character) return character;
                break;
        }
        // Not an item: a string key may still name an attribute (a method, a namespace or loop attribute).
        return key is string name ? GetAttribute(target, name) : Undefined.Element(target, key);
    }

    /// <summary><c>x[start:stop:step]</c> on a list, tuple or string; on anything else undefined.</summary>
    public static object? GetSlice(object? target, object? start, object? stop, object? step)
    {
        if (target is Undefined undefined) throw undefined.Fail();
        long? from = Index(start), to = Index(stop), by = Index(step);
        return target switch
        {
            string s => PyStr.Slice(s, from, to, by),
            List<object?> list => Slicing.Slice(list, from, to, by),
            object?[] tuple => Slicing.Slice(tuple, from, to, by).ToArray(),
            _ => Undefined.Element(target, "slice"),
        };
    }

    private static long? Index(object? value) => value switch
    {
        null => null,
        bool or long => Py.ToLong(value),
        _ => throw new TemplateError($"slice indices must be integers or None, not {Py.TypeName(value)}"),
    };
}
