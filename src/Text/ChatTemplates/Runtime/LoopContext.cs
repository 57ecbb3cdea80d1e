namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// The <c>loop</c> variable of a <c>for</c> body: <c>index</c> (from 1), <c>index0</c>, <c>revindex</c>,
/// <c>revindex0</c>, <c>first</c>, <c>last</c>, <c>length</c>, <c>previtem</c>, <c>nextitem</c>, <c>depth</c>,
/// <c>depth0</c> and <c>cycle(...)</c>. Loops over a filtered sequence count only the items that pass.
/// </summary>
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public int Length => items.Count;

    private static readonly object NoSuchAttribute = new();

    /// <summary>The attribute <paramref name="name"/>; false when the loop has none.</summary>
    public bool TryGet(string name, out object? value)
    {
        value = name switch
        {
            "index" => (long)(Index0 + 1),
            "index0" => (long)Index0,
            "revindex" => (long)(Length - Index0),
            "revindex0" => (long)(Length - Index0 - 1),
            "first" => Index0 == 0,
            "last" => Index0 == Length - 1,
            "length" => (long)Length,
            "depth" => 1L,
            "depth0" => 0L,
            "previtem" => Index0 > 0 ? items[Index0 - 1] : new Undefined("there is no previous item"),
            "nextitem" => Index0 < Length - 1 ? items[Index0 + 1] : new Undefined("there is no next item"),
            "cycle" => new BuiltinFunction("cycle", Signature.Variadic, (args, _) => Cycle(args)),
            _ => NoSuchAttribute,
        };
        return !ReferenceEquals(value, NoSuchAttribute);
    }

    private object? Cycle(BoundArguments args)
    {
        if (args.Positional.Count == 0) throw new TemplateError("no items for cycling given");
        return args.Positional[Index0 % args.Positional.Count];
    }
}
