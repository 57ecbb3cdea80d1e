using System.Text;
using XRight.Text.ChatTemplates.Syntax;

namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Renders parsed statements: text and <c>{{ }}</c> output, <c>if</c>, <c>for</c> (one scope per iteration,
/// so that a plain <c>set</c> in a loop body is gone after the iteration, as in Jinja), <c>set</c>,
/// <c>with</c>, <c>filter</c> blocks and <c>break</c>/<c>continue</c>. Errors carry the line of the construct.
/// </summary>
internal sealed partial class Interpreter(RenderState state)
{
    private enum Flow { Normal, Break, Continue }

    public static string Render(IReadOnlyList<Stmt> template, Scope variables, RenderState state)
    {
        var output = new StringBuilder();
        new Interpreter(state).Execute(template, variables, output);
        return output.ToString();
    }

    private Flow Execute(IReadOnlyList<Stmt> body, Scope scope, StringBuilder output)
    {
        foreach (var statement in body)
        {
            var flow = Execute(statement, scope, output);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    private Flow Execute(Stmt statement, Scope scope, StringBuilder output)
    {
        try
        {
            switch (statement)
            {
                case TextStmt text:
                    Write(output, text.Text);
                    return Flow.Normal;
                case PrintStmt print:
                    Write(output, PyFormat.Str(Evaluate(print.Value, scope)));
                    return Flow.Normal;
                case IfStmt conditional:
                    foreach (var branch in conditional.Branches)
                    {
                        if (Py.IsTrue(Evaluate(branch.Test, scope))) return Execute(branch.Body, scope, output);
                    }
                    return Execute(conditional.Else, scope, output);
                case ForStmt loop:
                    return ExecuteFor(loop, scope, output);
                case SetStmt set:
                    Assign(set.Target, Evaluate(set.Value, scope), scope);
                    return Flow.Normal;
                case SetBlockStmt setBlock:
                    Assign(setBlock.Target, Capture(setBlock.Body, setBlock.Filters, scope), scope);
                    return Flow.Normal;
                case WithStmt with:
                    var inner = scope.Child();
                    // The values are evaluated in the enclosing scope, before any of them is bound.
                    var values = with.Assignments.Select(a => Evaluate(a.Value, scope)).ToList();
                    for (int i = 0; i < values.Count; i++) Assign(with.Assignments[i].Key, values[i], inner);
                    return Execute(with.Body, inner, output);
                case FilterBlockStmt filterBlock:
                    Write(output, Capture(filterBlock.Body, filterBlock.Filters, scope));
                    return Flow.Normal;
                case LoopControlStmt control:
                    return control.IsBreak ? Flow.Break : Flow.Continue;
                default:
                    throw new InvalidOperationException($"no rendering for {statement.GetType().Name}");
            }
        }
        catch (RaisedByTemplateError raised)
        {
            throw ChatTemplateException.Raised(statement.Line, raised.Message);
        }
        catch (TemplateError error)
        {
            throw ChatTemplateException.At(statement.Line, error.Message);
        }
    }

    private void Write(StringBuilder output, string text)
    {
        state.CheckLength((long)output.Length + text.Length);
        output.Append(text);
    }

    private Flow ExecuteFor(ForStmt loop, Scope scope, StringBuilder output)
    {
        var items = Py.Iterate(Evaluate(loop.Iterable, scope)).ToList();
        if (loop.Filter is not null)
        {
            // The filter sees the loop variable but not 'loop'; loop.index and length count what passes.
            items = items.Where(item =>
            {
                var probe = scope.Child();
                Assign(loop.Target, item, probe);
                return Py.IsTrue(Evaluate(loop.Filter, probe));
            }).ToList();
        }
        if (items.Count == 0) return Execute(loop.Else, scope.Child(), output);
        var context = new LoopContext(items);
        for (int i = 0; i < items.Count; i++)
        {
            state.CountIterations();
            var iteration = scope.Child();
            context.Index0 = i;
            iteration.Set("loop", context);
            Assign(loop.Target, items[i], iteration);
            if (Execute(loop.Body, iteration, output) == Flow.Break) break;
        }
        return Flow.Normal;
    }

    // A {% set %} or {% filter %} block: its body rendered in a scope of its own, then filtered.
    private string Capture(IReadOnlyList<Stmt> body, IReadOnlyList<FilterExpr> filters, Scope scope)
    {
        var captured = new StringBuilder();
        Execute(body, scope.Child(), captured);
        object? value = captured.ToString();
        foreach (var filter in filters) value = JinjaFilters.Apply(filter.Name, value, EvaluateArguments(filter.Arguments, scope), state);
        return PyFormat.Str(value);
    }

    private static void Assign(Target target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameTarget name:
                scope.Set(name.Name, value);
                break;
            case NamespaceAttributeTarget attribute:
                if (!scope.TryGet(attribute.Namespace, out var ns) || ns is not Namespace namespaceObject)
                    throw new TemplateError($"cannot assign attribute '{attribute.Attribute}' on '{attribute.Namespace}', which is not a namespace() object");
                namespaceObject.Attributes[attribute.Attribute] = value;
                break;
            case TupleTarget tuple:
                var items = Py.Iterate(value).ToList();
                if (items.Count > tuple.Items.Count) throw new TemplateError($"too many values to unpack (expected {tuple.Items.Count})");
                if (items.Count < tuple.Items.Count) throw new TemplateError($"not enough values to unpack (expected {tuple.Items.Count}, got {items.Count})");
                for (int i = 0; i < items.Count; i++) Assign(tuple.Items[i], items[i], scope);
                break;
        }
    }
}
