using XRight.Text.ChatTemplates.Syntax;

namespace XRight.Text.ChatTemplates.Runtime;

internal sealed partial class Interpreter
{
    private object? Evaluate(Expr expression, Scope scope)
    {
        try
        {
            return expression switch
            {
                ConstantExpr constant => constant.Value,
                NameExpr name => scope.TryGet(name.Name, out var value) ? value : Undefined.Variable(name.Name),
                ListExpr list => list.Items.Select(item => Evaluate(item, scope)).ToList(),
                TupleExpr tuple => tuple.Items.Select(item => Evaluate(item, scope)).ToArray(),
                DictExpr dict => EvaluateDict(dict, scope),
                AttributeExpr attribute => Members.GetAttribute(Evaluate(attribute.Target, scope), attribute.Name),
                ItemExpr { Key: SliceExpr slice } item => Members.GetSlice(Evaluate(item.Target, scope),
                    EvaluateOptional(slice.Start, scope), EvaluateOptional(slice.Stop, scope), EvaluateOptional(slice.Step, scope)),
                ItemExpr item => Members.GetItem(Evaluate(item.Target, scope), Evaluate(item.Key, scope)),
                CallExpr call => Call(Evaluate(call.Callee, scope), EvaluateArguments(call.Arguments, scope)),
                FilterExpr filter => JinjaFilters.Apply(filter.Name, Evaluate(filter.Value!, scope), EvaluateArguments(filter.Arguments, scope), state),
                TestExpr test => JinjaTests.Apply(test.Name, Evaluate(test.Value, scope), EvaluateArguments(test.Arguments, scope), state) != test.Negated,
                UnaryExpr { Operator: "not" } not => !Py.IsTrue(Evaluate(not.Operand, scope)),
                UnaryExpr { Operator: "-" } negation => PyOperators.Negate(Evaluate(negation.Operand, scope)),
                UnaryExpr plus => PyOperators.Plus(Evaluate(plus.Operand, scope)),
                BinaryExpr binary => PyOperators.Binary(binary.Operator, Evaluate(binary.Left, scope), Evaluate(binary.Right, scope), state),
                LogicalExpr logical => EvaluateLogical(logical, scope),
                CompareExpr compare => EvaluateCompare(compare, scope),
                ConditionalExpr conditional => Py.IsTrue(Evaluate(conditional.Test, scope))
                    ? Evaluate(conditional.Then, scope)
                    : conditional.Else is null
                        ? new Undefined($"the inline if-expression on line {conditional.Line} evaluated to false and no else section was defined.")
                        : Evaluate(conditional.Else, scope),
                SliceExpr => throw new TemplateError("a slice is only allowed inside [ ]"),
                _ => throw new InvalidOperationException($"no evaluation for {expression.GetType().Name}"),
            };
        }
        catch (RaisedByTemplateError raised)
        {
            throw ChatTemplateException.Raised(expression.Line, raised.Message);
        }
        catch (TemplateError error)
        {
            throw ChatTemplateException.At(expression.Line, error.Message);
        }
    }

    private object? EvaluateOptional(Expr? expression, Scope scope) => expression is null ? null : Evaluate(expression, scope);

    private PyDict EvaluateDict(DictExpr dict, Scope scope)
    {
        var result = new PyDict();
        foreach (var (key, value) in dict.Pairs) result.Set(Evaluate(key, scope), Evaluate(value, scope));
        return result;
    }

    private Arguments EvaluateArguments(CallArguments arguments, Scope scope) =>
        arguments.Positional.Count == 0 && arguments.Named.Count == 0
            ? Arguments.None
            : new Arguments(
                arguments.Positional.Select(argument => Evaluate(argument, scope)).ToList(),
                arguments.Named.Select(argument => new KeyValuePair<string, object?>(argument.Key, Evaluate(argument.Value, scope))).ToList());

    private object? Call(object? callee, Arguments arguments) => callee switch
    {
        ITemplateCallable function => function.Call(arguments, state),
        Undefined undefined => throw undefined.Fail(),
        _ => throw new TemplateError($"'{Py.TypeName(callee)}' object is not callable"),
    };

    // Python's and/or return the operand that decided.
    private object? EvaluateLogical(LogicalExpr logical, Scope scope)
    {
        var left = Evaluate(logical.Left, scope);
        return Py.IsTrue(left) == logical.IsAnd ? Evaluate(logical.Right, scope) : left;
    }

    // a < b < c is a < b and b < c, with b evaluated once.
    private bool EvaluateCompare(CompareExpr compare, Scope scope)
    {
        var left = Evaluate(compare.First, scope);
        foreach (var (op, operand) in compare.Rest)
        {
            var right = Evaluate(operand, scope);
            bool holds = op switch
            {
                "==" => Py.Equal(left, right),
                "!=" => !Py.Equal(left, right),
                "in" => Py.Contains(right, left),
                "notin" => !Py.Contains(right, left),
                _ => Py.Order(op, left, right),
            };
            if (!holds) return false;
            left = right;
        }
        return true;
    }
}
