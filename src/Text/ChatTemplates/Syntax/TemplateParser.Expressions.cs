using XRight.Text.ChatTemplates.Runtime;

namespace XRight.Text.ChatTemplates.Syntax;

// Expressions, by Jinja's precedence from loosest to tightest:
// conditional (x if c else y) < or < and < not < comparisons and 'in' < + - < ~ < * / // % < ** < unary - +
// < postfix (.attr, [key], (call)) and then filters (|f) and tests (is t).
// So 'not a|length == 1' is 'not ((a|length) == 1)', and 'x | trim + y' is '(x|trim) + y'.
internal sealed partial class TemplateParser
{
    private static readonly string[] ComparisonOperators = ["==", "!=", "<", ">", "<=", ">="];

    // Names after 'is <test>' that end the test rather than being its argument.
    private static readonly string[] TestArgumentStops = ["else", "or", "and"];

    /// <summary>One expression, or several separated by commas as a tuple.</summary>
    private Expr ParseTuple(bool withCondition = true, bool simplified = false, string? endName = null, bool parenthesized = false)
    {
        int line = _tokens.Current.Line;
        var items = new List<Expr>();
        bool isTuple = false;
        while (true)
        {
            if (items.Count > 0) _tokens.ExpectOperator(",");
            if (IsTupleEnd(endName)) break;
            items.Add(simplified ? ParsePrimary() : ParseExpression(withCondition));
            if (_tokens.Current.IsOperator(",")) isTuple = true;
            else break;
        }
        if (isTuple) return new TupleExpr(items, line);
        if (items.Count == 1) return items[0];
        if (parenthesized) return new TupleExpr(items, line);
        throw _tokens.Unexpected("an expression");
    }

    private bool IsTupleEnd(string? endName)
    {
        var token = _tokens.Current;
        return token.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || token.IsOperator(")")
            || (endName is not null && token.IsName(endName));
    }

    private Expr ParseExpression(bool withCondition = true)
    {
        Enter(_tokens.Current.Line);
        var expr = withCondition ? ParseConditional() : ParseOr();
        _nesting--;
        return expr;
    }

    private Expr ParseConditional()
    {
        var expr = ParseOr();
        while (_tokens.Current.IsName("if"))
        {
            int line = _tokens.Next().Line;
            var test = ParseOr();
            var otherwise = _tokens.SkipName("else") ? ParseConditional() : null;
            expr = new ConditionalExpr(test, expr, otherwise, line);
        }
        return expr;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (_tokens.Current.IsName("or"))
        {
            int line = _tokens.Next().Line;
            left = new LogicalExpr(IsAnd: false, left, ParseAnd(), line);
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (_tokens.Current.IsName("and"))
        {
            int line = _tokens.Next().Line;
            left = new LogicalExpr(IsAnd: true, left, ParseNot(), line);
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (!_tokens.Current.IsName("not")) return ParseCompare();
        var token = _tokens.Next();
        Enter(token.Line);
        var operand = ParseNot();
        _nesting--;
        return new UnaryExpr("not", operand, token.Line);
    }

    private Expr ParseCompare()
    {
        int line = _tokens.Current.Line;
        var first = ParseAdditive();
        var rest = new List<KeyValuePair<string, Expr>>();
        while (true)
        {
            var token = _tokens.Current;
            if (token.Kind == TokenKind.Operator && ComparisonOperators.Contains(token.Text))
            {
                _tokens.Next();
                rest.Add(new(token.Text, ParseAdditive()));
            }
            else if (token.IsName("in"))
            {
                _tokens.Next();
                rest.Add(new("in", ParseAdditive()));
            }
            else if (token.IsName("not") && _tokens.Peek.IsName("in"))
            {
                _tokens.Next();
                _tokens.Next();
                rest.Add(new("notin", ParseAdditive()));
            }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(first, rest, line);
    }

    private Expr ParseAdditive()
    {
        var left = ParseConcat();
        while (_tokens.Current.IsOperator("+") || _tokens.Current.IsOperator("-"))
        {
            var op = _tokens.Next();
            left = new BinaryExpr(op.Text, left, ParseConcat(), op.Line);
        }
        return left;
    }

    private Expr ParseConcat()
    {
        var left = ParseMultiplicative();
        while (_tokens.Current.IsOperator("~"))
        {
            var op = _tokens.Next();
            left = new BinaryExpr("~", left, ParseMultiplicative(), op.Line);
        }
        return left;
    }

    private Expr ParseMultiplicative()
    {
        var left = ParsePower();
        while (_tokens.Current.Kind == TokenKind.Operator && _tokens.Current.Text is "*" or "/" or "//" or "%")
        {
            var op = _tokens.Next();
            left = new BinaryExpr(op.Text, left, ParsePower(), op.Line);
        }
        return left;
    }

    // Jinja's ** is left-associative: 2 ** 3 ** 2 is (2 ** 3) ** 2.
    private Expr ParsePower()
    {
        var left = ParseUnary();
        while (_tokens.Current.IsOperator("**"))
        {
            var op = _tokens.Next();
            left = new BinaryExpr("**", left, ParseUnary(), op.Line);
        }
        return left;
    }

    // A sign applies to the operand with its postfixes, and filters apply to the signed value: -x|abs is (-x)|abs.
    private Expr ParseUnary(bool withFilters = true)
    {
        var token = _tokens.Current;
        Expr expr;
        if (token.IsOperator("-") || token.IsOperator("+"))
        {
            _tokens.Next();
            Enter(token.Line);
            expr = new UnaryExpr(token.Text, ParseUnary(withFilters: false), token.Line);
            _nesting--;
        }
        else
        {
            expr = ParsePrimary();
        }
        expr = ParsePostfix(expr);
        return withFilters ? ParseFiltersAndTests(expr) : expr;
    }

    private Expr ParsePrimary()
    {
        var token = _tokens.Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                _tokens.Next();
                return token.Text switch
                {
                    "true" or "True" => new ConstantExpr(true, token.Line),
                    "false" or "False" => new ConstantExpr(false, token.Line),
                    "none" or "None" => new ConstantExpr(null, token.Line),
                    _ => new NameExpr(token.Text, token.Line),
                };
            case TokenKind.String:
                // Adjacent string literals are one string, as in Python.
                var text = (string)_tokens.Next().Value!;
                while (_tokens.Current.Kind == TokenKind.String) text += (string)_tokens.Next().Value!;
                return new ConstantExpr(text, token.Line);
            case TokenKind.Integer or TokenKind.Float:
                _tokens.Next();
                return new ConstantExpr(token.Value, token.Line);
        }
        if (token.IsOperator("("))
        {
            _tokens.Next();
            var inner = ParseTuple(parenthesized: true);
            _tokens.ExpectOperator(")");
            return inner;
        }
        if (token.IsOperator("[")) return ParseList();
        if (token.IsOperator("{")) return ParseDict();
        throw _tokens.Unexpected("an expression");
    }

    private ListExpr ParseList()
    {
        int line = _tokens.Next().Line;
        var items = new List<Expr>();
        while (!_tokens.Current.IsOperator("]"))
        {
            if (items.Count > 0) _tokens.ExpectOperator(",");
            if (_tokens.Current.IsOperator("]")) break;
            items.Add(ParseExpression());
        }
        _tokens.ExpectOperator("]");
        return new ListExpr(items, line);
    }

    private DictExpr ParseDict()
    {
        int line = _tokens.Next().Line;
        var pairs = new List<KeyValuePair<Expr, Expr>>();
        while (!_tokens.Current.IsOperator("}"))
        {
            if (pairs.Count > 0) _tokens.ExpectOperator(",");
            if (_tokens.Current.IsOperator("}")) break;
            var key = ParseExpression();
            _tokens.ExpectOperator(":");
            pairs.Add(new(key, ParseExpression()));
        }
        _tokens.ExpectOperator("}");
        return new DictExpr(pairs, line);
    }

    private Expr ParsePostfix(Expr expr)
    {
        while (true)
        {
            var token = _tokens.Current;
            if (token.IsOperator("."))
            {
                _tokens.Next();
                var member = _tokens.Current;
                if (member.Kind == TokenKind.Name) expr = new AttributeExpr(expr, _tokens.Next().Text, token.Line);
                else if (member.Kind == TokenKind.Integer) expr = new ItemExpr(expr, new ConstantExpr(_tokens.Next().Value, member.Line), token.Line);
                else throw _tokens.Unexpected("an attribute name after '.'");
            }
            else if (token.IsOperator("["))
            {
                _tokens.Next();
                var key = ParseSubscript();
                if (_tokens.Current.IsOperator(","))
                    throw ChatTemplateException.At(token.Line, "subscripts with several keys (x[a, b]) are not supported.");
                _tokens.ExpectOperator("]");
                expr = new ItemExpr(expr, key, token.Line);
            }
            else if (token.IsOperator("("))
            {
                expr = new CallExpr(expr, ParseCallArguments(), token.Line);
            }
            else return expr;
        }
    }

    // A key, or a slice start:stop:step with any part left out.
    private Expr ParseSubscript()
    {
        int line = _tokens.Current.Line;
        Expr? start = null;
        if (!_tokens.Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!_tokens.Current.IsOperator(":")) return start;
        }
        _tokens.Next();
        Expr? stop = IsSliceEnd(":") ? null : ParseExpression();
        Expr? step = null;
        if (_tokens.SkipOperator(":")) step = IsSliceEnd() ? null : ParseExpression();
        return new SliceExpr(start, stop, step, line);
    }

    private bool IsSliceEnd(string? alsoStop = null) =>
        _tokens.Current.IsOperator("]") || _tokens.Current.IsOperator(",") || (alsoStop is not null && _tokens.Current.IsOperator(alsoStop));

    private Expr ParseFiltersAndTests(Expr expr)
    {
        while (true)
        {
            var token = _tokens.Current;
            if (token.IsOperator("|"))
            {
                _tokens.Next();
                expr = ParseFilter(expr);
            }
            else if (token.IsName("is"))
            {
                _tokens.Next();
                expr = ParseTest(expr, token.Line);
            }
            else if (token.IsOperator("("))
            {
                expr = new CallExpr(expr, ParseCallArguments(), token.Line);
            }
            else return expr;
        }
    }

    // A filter chain as a {% filter %} block or a {% set x | f %} block writes it: "name(args) | name …".
    private List<FilterExpr> ParseFilterChain(bool startInline)
    {
        var filters = new List<FilterExpr>();
        if (startInline) filters.Add(ParseFilter(null));
        while (_tokens.SkipOperator("|")) filters.Add(ParseFilter(null));
        return filters;
    }

    private FilterExpr ParseFilter(Expr? value)
    {
        var name = ParseDottedName("a filter name");
        if (JinjaFilters.Refusal(name.Text) is { } refusal) throw ChatTemplateException.At(name.Line, refusal);
        var arguments = _tokens.Current.IsOperator("(") ? ParseCallArguments() : CallArguments.None;
        return new FilterExpr(value, name.Text, arguments, name.Line);
    }

    private TestExpr ParseTest(Expr value, int line)
    {
        bool negated = _tokens.SkipName("not");
        var name = ParseDottedName("a test name");
        if (JinjaTests.Refusal(name.Text) is { } refusal) throw ChatTemplateException.At(name.Line, refusal);
        var current = _tokens.Current;
        CallArguments arguments;
        if (current.IsOperator("("))
        {
            arguments = ParseCallArguments();
        }
        else if ((current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                  || current.IsOperator("[") || current.IsOperator("{"))
                 && !(current.Kind == TokenKind.Name && TestArgumentStops.Contains(current.Text)))
        {
            // One argument without parentheses: 'x is divisibleby 3', 'x is sameas none'.
            if (current.IsName("is")) throw ChatTemplateException.At(current.Line, "tests cannot be chained ('is … is …').");
            arguments = new CallArguments([ParsePostfix(ParsePrimary())], []);
        }
        else
        {
            arguments = CallArguments.None;
        }
        return new TestExpr(value, name.Text, arguments, negated, line);
    }

    private Token ParseDottedName(string what)
    {
        var name = _tokens.Expect(TokenKind.Name, what);
        if (!_tokens.Current.IsOperator(".")) return name;
        var text = name.Text;
        while (_tokens.SkipOperator(".")) text += "." + _tokens.Expect(TokenKind.Name, what).Text;
        return name with { Text = text };
    }

    private CallArguments ParseCallArguments()
    {
        _tokens.ExpectOperator("(");
        var positional = new List<Expr>();
        var named = new List<KeyValuePair<string, Expr>>();
        while (!_tokens.Current.IsOperator(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                _tokens.ExpectOperator(",");
                if (_tokens.Current.IsOperator(")")) break;
            }
            var token = _tokens.Current;
            if (token.IsOperator("*") || token.IsOperator("**"))
                throw ChatTemplateException.At(token.Line, $"unpacking arguments with '{token.Text}' is not supported.");
            if (token.Kind == TokenKind.Name && _tokens.Peek.IsOperator("="))
            {
                _tokens.Next();
                _tokens.Next();
                if (named.Any(n => n.Key == token.Text))
                    throw ChatTemplateException.At(token.Line, $"the argument '{token.Text}' is given twice.");
                named.Add(new(token.Text, ParseExpression()));
            }
            else
            {
                if (named.Count > 0) throw ChatTemplateException.At(token.Line, "a positional argument follows a keyword argument.");
                positional.Add(ParseExpression());
            }
        }
        _tokens.ExpectOperator(")");
        return new CallArguments(positional, named);
    }
}
