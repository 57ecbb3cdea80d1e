using XRight.Text.ChatTemplates.Runtime;

namespace XRight.Text.ChatTemplates.Syntax;

/// <summary>
/// Parses the lexer's tokens into statements, following Jinja's grammar. Every construct outside the
/// supported subset is refused here, before anything renders, with the line and the construct named.
/// </summary>
internal sealed partial class TemplateParser
{
    private static readonly Dictionary<string, string> RefusedTags = new(StringComparer.Ordinal)
    {
        ["macro"] = "macros are not supported",
        ["call"] = "call blocks (macros) are not supported",
        ["include"] = "a chat template cannot load other templates",
        ["import"] = "a chat template cannot load other templates",
        ["from"] = "a chat template cannot load other templates",
        ["extends"] = "template inheritance is not supported",
        ["block"] = "template inheritance is not supported",
        ["autoescape"] = "autoescaping is not supported (chat templates render without it)",
    };

    // Deep enough for any real template, shallow enough that parsing and evaluating cannot exhaust the stack.
    private const int MaxNesting = 200;

    private readonly TokenStream _tokens;
    private int _nesting;
    private int _loopDepth;

    private TemplateParser(IReadOnlyList<Token> tokens) => _tokens = new TokenStream(tokens);

    /// <summary>Parses a whole template.</summary>
    /// <exception cref="ChatTemplateException">A syntax error, or a construct that is not supported.</exception>
    public static IReadOnlyList<Stmt> Parse(string source) => new TemplateParser(Lexer.Tokenize(source)).ParseBody(null, null);

    // Statements up to one of endTags (left unconsumed after the '{%', for the caller) or the end of the template.
    private List<Stmt> ParseBody(string[]? endTags, Token? opening)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var token = _tokens.Current;
            switch (token.Kind)
            {
                case TokenKind.Data:
                    body.Add(new TextStmt(token.Text, token.Line));
                    _tokens.Next();
                    break;
                case TokenKind.VariableBegin:
                    _tokens.Next();
                    var value = ParseTuple();
                    _tokens.Expect(TokenKind.VariableEnd, "'}}'");
                    body.Add(new PrintStmt(value, token.Line));
                    break;
                case TokenKind.BlockBegin:
                    _tokens.Next();
                    var tag = _tokens.Current;
                    if (tag.Kind != TokenKind.Name) throw _tokens.Unexpected("a tag name");
                    if (endTags is not null && endTags.Contains(tag.Text)) return body;
                    body.Add(ParseStatement(tag, endTags, opening));
                    break;
                case TokenKind.EndOfTemplate:
                    if (endTags is null) return body;
                    throw ChatTemplateException.At(token.Line,
                        $"the template ended before {Expected(endTags)} closed the '{opening!.Text}' opened at line {opening.Line}.");
                default:
                    throw _tokens.Unexpected("text or a tag");
            }
        }
    }

    private static string Expected(string[] tags) => string.Join(" or ", tags.Select(t => $"'{t}'"));

    private Stmt ParseStatement(Token tag, string[]? enclosingEndTags, Token? enclosing)
    {
        Enter(tag.Line);
        _tokens.Next();
        Stmt statement = tag.Text switch
        {
            "if" => ParseIf(tag),
            "for" => ParseFor(tag),
            "set" => ParseSet(tag),
            "with" => ParseWith(tag),
            "filter" => ParseFilterBlock(tag),
            "generation" => ParseGeneration(tag),
            "break" or "continue" => ParseLoopControl(tag),
            _ => throw RefuseTag(tag, enclosingEndTags, enclosing),
        };
        _nesting--;
        return statement;
    }

    private static ChatTemplateException RefuseTag(Token tag, string[]? enclosingEndTags, Token? enclosing)
    {
        if (RefusedTags.TryGetValue(tag.Text, out var why))
            return ChatTemplateException.At(tag.Line, $"the tag '{tag.Text}' is not supported: {why}.");
        if (enclosingEndTags is not null)
            return ChatTemplateException.At(tag.Line,
                $"unknown tag '{tag.Text}'; expected {Expected(enclosingEndTags)} for the '{enclosing!.Text}' opened at line {enclosing.Line}.");
        return ChatTemplateException.At(tag.Line, $"unknown tag '{tag.Text}'.");
    }

    private void Enter(int line)
    {
        if (++_nesting > MaxNesting)
            throw ChatTemplateException.At(line, $"the template nests blocks or expressions more than {MaxNesting} deep.");
    }

    private void EndTag(string name)
    {
        _tokens.ExpectName(name);
        _tokens.Expect(TokenKind.BlockEnd, "'%}'");
    }

    private IfStmt ParseIf(Token tag)
    {
        var branches = new List<IfBranch>();
        string[] ends = ["elif", "else", "endif"];
        var test = ParseTuple(withCondition: false);
        while (true)
        {
            _tokens.Expect(TokenKind.BlockEnd, "'%}'");
            branches.Add(new IfBranch(test, ParseBody(ends, tag)));
            if (!_tokens.SkipName("elif")) break;
            test = ParseTuple(withCondition: false);
        }
        List<Stmt> otherwise = [];
        if (_tokens.SkipName("else"))
        {
            _tokens.Expect(TokenKind.BlockEnd, "'%}'");
            otherwise = ParseBody(["endif"], tag);
        }
        EndTag("endif");
        return new IfStmt(branches, otherwise, tag.Line);
    }

    private ForStmt ParseFor(Token tag)
    {
        var target = ParseAssignTarget(allowNamespace: false, endName: "in");
        _tokens.ExpectName("in");
        var iterable = ParseTuple(withCondition: false, endName: "recursive");
        Expr? filter = _tokens.SkipName("if") ? ParseExpression() : null;
        if (_tokens.Current.IsName("recursive"))
            throw ChatTemplateException.At(_tokens.Current.Line, "recursive for loops are not supported.");
        _tokens.Expect(TokenKind.BlockEnd, "'%}'");
        _loopDepth++;
        var body = ParseBody(["else", "endfor"], tag);
        _loopDepth--;
        List<Stmt> otherwise = [];
        if (_tokens.SkipName("else"))
        {
            _tokens.Expect(TokenKind.BlockEnd, "'%}'");
            otherwise = ParseBody(["endfor"], tag);
        }
        EndTag("endfor");
        return new ForStmt(target, iterable, filter, body, otherwise, tag.Line);
    }

    private Stmt ParseSet(Token tag)
    {
        var target = ParseAssignTarget(allowNamespace: true);
        if (_tokens.SkipOperator("="))
        {
            var value = ParseTuple();
            _tokens.Expect(TokenKind.BlockEnd, "'%}'");
            return new SetStmt(target, value, tag.Line);
        }
        if (target is TupleTarget)
            throw ChatTemplateException.At(tag.Line, "a block 'set' assigns one variable, not a tuple.");
        var filters = _tokens.Current.IsOperator("|") ? ParseFilterChain(startInline: false) : [];
        _tokens.Expect(TokenKind.BlockEnd, "'%}' or '='");
        var body = ParseBody(["endset"], tag);
        EndTag("endset");
        return new SetBlockStmt(target, filters, body, tag.Line);
    }

    private WithStmt ParseWith(Token tag)
    {
        var assignments = new List<KeyValuePair<Target, Expr>>();
        while (_tokens.Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) _tokens.ExpectOperator(",");
            var target = ParseAssignTarget(allowNamespace: false);
            _tokens.ExpectOperator("=");
            assignments.Add(new(target, ParseExpression()));
        }
        _tokens.Next();
        var body = ParseBody(["endwith"], tag);
        EndTag("endwith");
        return new WithStmt(assignments, body, tag.Line);
    }

    private FilterBlockStmt ParseFilterBlock(Token tag)
    {
        var filters = ParseFilterChain(startInline: true);
        _tokens.Expect(TokenKind.BlockEnd, "'%}'");
        var body = ParseBody(["endfilter"], tag);
        EndTag("endfilter");
        return new FilterBlockStmt(filters, body, tag.Line);
    }

    // transformers' {% generation %} marks the assistant's tokens for masking; rendering keeps its body as is.
    private WithStmt ParseGeneration(Token tag)
    {
        _tokens.Expect(TokenKind.BlockEnd, "'%}'");
        var body = ParseBody(["endgeneration"], tag);
        EndTag("endgeneration");
        return new WithStmt([], body, tag.Line);
    }

    private LoopControlStmt ParseLoopControl(Token tag)
    {
        if (_loopDepth == 0) throw ChatTemplateException.At(tag.Line, $"'{tag.Text}' outside a for loop.");
        _tokens.Expect(TokenKind.BlockEnd, "'%}'");
        return new LoopControlStmt(tag.Text == "break", tag.Line);
    }

    // A variable, a tuple of variables (a, b), or with allowNamespace ns.attribute.
    private Target ParseAssignTarget(bool allowNamespace, string? endName = null)
    {
        var first = _tokens.Current;
        if (allowNamespace && first.Kind == TokenKind.Name && _tokens.Peek.IsOperator("."))
        {
            _tokens.Next();
            _tokens.Next();
            var attribute = _tokens.Expect(TokenKind.Name, "an attribute name");
            return new NamespaceAttributeTarget(first.Text, attribute.Text, first.Line);
        }
        return ToTarget(ParseTuple(simplified: true, endName: endName));
    }

    private static Target ToTarget(Expr expr) => expr switch
    {
        NameExpr name => new NameTarget(name.Name, name.Line),
        TupleExpr tuple => new TupleTarget(tuple.Items.Select(ToTarget).ToList(), tuple.Line),
        _ => throw ChatTemplateException.At(expr.Line, "can only assign to a variable, a tuple of variables or a namespace attribute."),
    };
}
