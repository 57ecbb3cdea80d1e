namespace XRight.Text.ChatTemplates.Syntax;

/// <summary>An expression of the template, with the line it starts on.</summary>
internal abstract record Expr(int Line);

/// <summary>A literal: string, integer (long), float (double), bool or none (null).</summary>
internal sealed record ConstantExpr(object? Value, int Line) : Expr(Line);

/// <summary>A variable, looked up in the scopes at render time.</summary>
internal sealed record NameExpr(string Name, int Line) : Expr(Line);

/// <summary><c>[a, b]</c></summary>
internal sealed record ListExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line);

/// <summary><c>(a, b)</c>, or <c>a, b</c> where Jinja allows a bare tuple.</summary>
internal sealed record TupleExpr(IReadOnlyList<Expr> Items, int Line) : Expr(Line);

/// <summary><c>{k: v, …}</c></summary>
internal sealed record DictExpr(IReadOnlyList<KeyValuePair<Expr, Expr>> Pairs, int Line) : Expr(Line);

/// <summary><c>target.name</c>: an attribute, falling back to the item of that name.</summary>
internal sealed record AttributeExpr(Expr Target, string Name, int Line) : Expr(Line);

/// <summary><c>target[key]</c>: an item, falling back to the attribute of that name; the key may be a <see cref="SliceExpr"/>.</summary>
internal sealed record ItemExpr(Expr Target, Expr Key, int Line) : Expr(Line);

/// <summary><c>start:stop:step</c> inside a subscript; each part may be absent.</summary>
internal sealed record SliceExpr(Expr? Start, Expr? Stop, Expr? Step, int Line) : Expr(Line);

/// <summary>The arguments of a call, filter or test: positional ones, then <c>name=value</c> ones.</summary>
internal sealed record CallArguments(IReadOnlyList<Expr> Positional, IReadOnlyList<KeyValuePair<string, Expr>> Named)
{
    public static CallArguments None { get; } = new([], []);
}

/// <summary><c>callee(args)</c></summary>
internal sealed record CallExpr(Expr Callee, CallArguments Arguments, int Line) : Expr(Line);

/// <summary><c>value | name(args)</c>; the value is absent in a <c>{% filter %}</c> block, which filters its body.</summary>
internal sealed record FilterExpr(Expr? Value, string Name, CallArguments Arguments, int Line) : Expr(Line);

/// <summary><c>value is [not] name(args)</c></summary>
internal sealed record TestExpr(Expr Value, string Name, CallArguments Arguments, bool Negated, int Line) : Expr(Line);

/// <summary><c>-x</c>, <c>+x</c>, <c>not x</c></summary>
internal sealed record UnaryExpr(string Operator, Expr Operand, int Line) : Expr(Line);

/// <summary>Arithmetic and <c>~</c> (concatenation as strings): <c>+ - * / // % ** ~</c>.</summary>
internal sealed record BinaryExpr(string Operator, Expr Left, Expr Right, int Line) : Expr(Line);

/// <summary><c>and</c>/<c>or</c>, which return one of their operands as Python does.</summary>
internal sealed record LogicalExpr(bool IsAnd, Expr Left, Expr Right, int Line) : Expr(Line);

/// <summary>A comparison chain <c>a &lt; b &lt;= c</c>; operators <c>== != &lt; &gt; &lt;= &gt;= in notin</c>.</summary>
internal sealed record CompareExpr(Expr First, IReadOnlyList<KeyValuePair<string, Expr>> Rest, int Line) : Expr(Line);

/// <summary><c>then if test else otherwise</c>; without <c>else</c> a false test gives undefined.</summary>
internal sealed record ConditionalExpr(Expr Test, Expr Then, Expr? Else, int Line) : Expr(Line);
