namespace XRight.Text.ChatTemplates.Syntax;

/// <summary>The kinds of token the lexer produces.</summary>
internal enum TokenKind
{
    /// <summary>Literal text between tags, already trimmed by whitespace control.</summary>
    Data,
    /// <summary><c>{{</c></summary>
    VariableBegin,
    /// <summary><c>}}</c></summary>
    VariableEnd,
    /// <summary><c>{%</c></summary>
    BlockBegin,
    /// <summary><c>%}</c></summary>
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    /// <summary>An operator or punctuation, e.g. <c>+</c>, <c>//</c>, <c>==</c>, <c>[</c>, <c>|</c>.</summary>
    Operator,
    EndOfTemplate,
}

/// <summary>One token with the line it starts on (1-based) for error messages.</summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Text">The data text, the name, the operator, or the source text of a number.</param>
/// <param name="Line">The line of the template the token starts on.</param>
/// <param name="Value">The decoded value of a string, integer or float literal.</param>
internal sealed record Token(TokenKind Kind, string Text, int Line, object? Value = null)
{
    public bool IsOperator(string op) => Kind == TokenKind.Operator && Text == op;

    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;

    /// <summary>How the token is named in a syntax error.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Data => "template text",
        TokenKind.VariableBegin => "'{{'",
        TokenKind.VariableEnd => "end of print statement '}}'",
        TokenKind.BlockBegin => "'{%'",
        TokenKind.BlockEnd => "end of statement block '%}'",
        TokenKind.EndOfTemplate => "end of template",
        TokenKind.String => "string literal",
        _ => $"'{Text}'",
    };
}
