namespace XRight.Text.ChatTemplates.Syntax;

/// <summary>A statement of the template: text, a <c>{{ }}</c> or a <c>{% %}</c> construct, with its line.</summary>
internal abstract record Stmt(int Line);

/// <summary>Literal text, already trimmed by whitespace control.</summary>
internal sealed record TextStmt(string Text, int Line) : Stmt(Line);

/// <summary><c>{{ expr }}</c></summary>
internal sealed record PrintStmt(Expr Value, int Line) : Stmt(Line);

/// <summary>One <c>if</c>/<c>elif</c> test and the statements it guards.</summary>
internal sealed record IfBranch(Expr Test, IReadOnlyList<Stmt> Body);

/// <summary><c>{% if %}…{% elif %}…{% else %}…{% endif %}</c>; does not open a scope.</summary>
internal sealed record IfStmt(IReadOnlyList<IfBranch> Branches, IReadOnlyList<Stmt> Else, int Line) : Stmt(Line);

/// <summary>
/// <c>{% for target in iterable [if filter] %}…{% else %}…{% endfor %}</c>. Each iteration has its own scope,
/// so a <c>set</c> in the body neither survives the iteration nor leaks out of the loop.
/// </summary>
internal sealed record ForStmt(Target Target, Expr Iterable, Expr? Filter, IReadOnlyList<Stmt> Body, IReadOnlyList<Stmt> Else, int Line) : Stmt(Line);

/// <summary><c>{% set target = value %}</c></summary>
internal sealed record SetStmt(Target Target, Expr Value, int Line) : Stmt(Line);

/// <summary><c>{% set target [| filters] %}…{% endset %}</c>: the rendered body, filtered, as a string.</summary>
internal sealed record SetBlockStmt(Target Target, IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

/// <summary>
/// <c>{% with a = x %}…{% endwith %}</c>: a scope with the given variables. Also transformers'
/// <c>{% generation %}…{% endgeneration %}</c>, which renders its body unchanged in a scope of its own.
/// </summary>
internal sealed record WithStmt(IReadOnlyList<KeyValuePair<Target, Expr>> Assignments, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

/// <summary><c>{% filter name(args) | … %}…{% endfilter %}</c>: the rendered body passed through the filters.</summary>
internal sealed record FilterBlockStmt(IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

/// <summary><c>{% break %}</c> or <c>{% continue %}</c> (Jinja's loopcontrols extension).</summary>
internal sealed record LoopControlStmt(bool IsBreak, int Line) : Stmt(Line);

/// <summary>Where <c>set</c>, <c>for</c> and <c>with</c> store a value.</summary>
internal abstract record Target(int Line);

/// <summary>A plain variable.</summary>
internal sealed record NameTarget(string Name, int Line) : Target(Line);

/// <summary><c>ns.attribute</c>, allowed only on a <c>namespace()</c> object.</summary>
internal sealed record NamespaceAttributeTarget(string Namespace, string Attribute, int Line) : Target(Line);

/// <summary><c>a, b</c>: unpacks a sequence of exactly that many items.</summary>
internal sealed record TupleTarget(IReadOnlyList<Target> Items, int Line) : Target(Line);
