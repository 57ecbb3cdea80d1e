namespace XRight.Text.ChatTemplates.Syntax;

/// <summary>The lexer's tokens with one token of lookahead, and errors that name the line and what was found.</summary>
internal sealed class TokenStream(IReadOnlyList<Token> tokens)
{
    private int _index;

    public Token Current => tokens[_index];

    /// <summary>The token after <see cref="Current"/> (the end of the template at the end).</summary>
    public Token Peek => tokens[Math.Min(_index + 1, tokens.Count - 1)];

    public Token Next()
    {
        var token = tokens[_index];
        if (_index < tokens.Count - 1) _index++;
        return token;
    }

    public bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op)) return false;
        Next();
        return true;
    }

    public bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        Next();
        return true;
    }

    public Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind) throw Unexpected(what);
        return Next();
    }

    public void ExpectOperator(string op)
    {
        if (!SkipOperator(op)) throw Unexpected($"'{op}'");
    }

    public void ExpectName(string name)
    {
        if (!SkipName(name)) throw Unexpected($"'{name}'");
    }

    public ChatTemplateException Unexpected(string expected) =>
        ChatTemplateException.At(Current.Line, $"expected {expected}, found {Current.Describe()}.");
}
