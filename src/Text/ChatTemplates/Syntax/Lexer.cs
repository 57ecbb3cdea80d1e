using System.Globalization;
using System.Text;
using XRight.Text.ChatTemplates.Runtime;

namespace XRight.Text.ChatTemplates.Syntax;

/// <summary>
/// Splits a template into text and tag tokens the way Jinja does under Hugging Face's settings
/// (<c>trim_blocks=True</c>, <c>lstrip_blocks=True</c>):
/// <list type="bullet">
/// <item><c>{%-</c>, <c>{{-</c>, <c>{#-</c> remove all whitespace before the tag; <c>-%}</c>, <c>-}}</c>, <c>-#}</c> all whitespace after it.</item>
/// <item>trim_blocks: the first newline after a <c>%}</c> or <c>#}</c> is removed (not after <c>}}</c>); <c>+%}</c> keeps it.</item>
/// <item>lstrip_blocks: spaces and tabs from the start of a line up to a <c>{%</c> or <c>{#</c> are removed (not before <c>{{</c>); <c>{%+</c> keeps them.</item>
/// <item>Newlines are normalized to <c>\n</c> and one trailing newline of the template is dropped (Jinja's keep_trailing_newline=False).</item>
/// </list>
/// Comments produce no tokens; <c>{% raw %}…{% endraw %}</c> produces its body as text.
/// </summary>
internal sealed class Lexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];

    private readonly string _source;
    private readonly List<int> _newlines = [];
    private readonly List<Token> _tokens = [];
    private int _pos;

    // Whether the text that follows starts a line: at the start of the template, or after a tag whose
    // closing (with the whitespace it consumed) ended in a newline. lstrip_blocks needs it.
    private bool _lineStarting = true;

    private Lexer(string source)
    {
        _source = NormalizeNewlines(source);
        for (int i = 0; i < _source.Length; i++)
        {
            if (_source[i] == '\n') _newlines.Add(i);
        }
    }

    public static List<Token> Tokenize(string source)
    {
        var lexer = new Lexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    private static string NormalizeNewlines(string source)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private int LineAt(int position)
    {
        int index = _newlines.BinarySearch(position);
        return (index < 0 ? ~index : index) + 1;
    }

    private ChatTemplateException Error(int position, string message) => ChatTemplateException.At(LineAt(position), message);

    private void Run()
    {
        while (_pos < _source.Length)
        {
            int open = FindOpening(_pos);
            if (open < 0)
            {
                AddData(_pos, _source[_pos..]);
                break;
            }
            char kind = _source[open + 1];
            char sign = open + 2 < _source.Length && _source[open + 2] is '-' or '+' ? _source[open + 2] : '\0';
            string text = ControlWhitespaceBefore(_source[_pos..open], sign, isPrint: kind == '{');
            AddData(_pos, text);
            _pos = open + 2 + (sign == '\0' ? 0 : 1);
            switch (kind)
            {
                case '#': SkipComment(open); break;
                case '{': LexTag(open, isBlock: false); break;
                default:
                    if (!TryLexRaw(open)) LexTag(open, isBlock: true);
                    break;
            }
        }
        _tokens.Add(new Token(TokenKind.EndOfTemplate, "", LineAt(_source.Length)));
    }

    private int FindOpening(int from)
    {
        for (int i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#') return i;
        }
        return -1;
    }

    private string ControlWhitespaceBefore(string text, char sign, bool isPrint)
    {
        if (sign == '-') return PyChars.TrimEnd(text);
        if (sign == '+' || isPrint) return text;
        // lstrip_blocks: only whitespace between the start of the line and the tag is removed.
        int lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !_lineStarting) return text;
        for (int i = lineStart; i < text.Length; i++)
        {
            if (!PyChars.IsSpace(text[i])) return text;
        }
        return text[..lineStart];
    }

    private void AddData(int position, string text)
    {
        if (text.Length > 0) _tokens.Add(new Token(TokenKind.Data, text, LineAt(position)));
    }

    private void SkipComment(int open)
    {
        int close = _source.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (close < 0) throw Error(open, "the comment '{#' is never closed with '#}'.");
        char sign = close > _pos && _source[close - 1] is '-' or '+' ? _source[close - 1] : '\0';
        _pos = close + 2;
        ControlWhitespaceAfter(sign, trimBlock: true);
    }

    // After a closing '-%}', '-}}' or '-#}' all whitespace goes; after '%}' or '#}' (trim_blocks) one newline.
    private void ControlWhitespaceAfter(char sign, bool trimBlock)
    {
        int start = _pos;
        if (sign == '-')
        {
            while (_pos < _source.Length && PyChars.IsSpace(_source[_pos])) _pos++;
        }
        else if (sign != '+' && trimBlock && _pos < _source.Length && _source[_pos] == '\n')
        {
            _pos++;
        }
        _lineStarting = _pos > start && _source[_pos - 1] == '\n';
    }

    // {% raw %}…{% endraw %}: the body is text, untouched. Like Jinja, the opening tag does not trim the
    // newline after it; the closing tag follows the usual whitespace rules.
    private bool TryLexRaw(int open)
    {
        int p = SkipSpaces(_pos);
        if (!Matches(p, "raw")) return false;
        p = SkipSpaces(p + 3);
        char sign = '\0';
        if (Matches(p, "-%}")) sign = '-';
        else if (!Matches(p, "%}")) return false;
        _pos = p + (sign == '-' ? 3 : 2);
        ControlWhitespaceAfter(sign, trimBlock: false);
        for (int search = _pos; ;)
        {
            int candidate = _source.IndexOf("{%", search, StringComparison.Ordinal);
            if (candidate < 0) throw Error(open, "'{% raw %}' is never closed with '{% endraw %}'.");
            char endSign = candidate + 2 < _source.Length && _source[candidate + 2] is '-' or '+' ? _source[candidate + 2] : '\0';
            int q = SkipSpaces(candidate + 2 + (endSign == '\0' ? 0 : 1));
            if (Matches(q, "endraw"))
            {
                q = SkipSpaces(q + 6);
                char closeSign = Matches(q, "-%}") ? '-' : Matches(q, "+%}") ? '+' : Matches(q, "%}") ? '\0' : 'x';
                if (closeSign != 'x')
                {
                    AddData(_pos, ControlWhitespaceBefore(_source[_pos..candidate], endSign, isPrint: false));
                    _pos = q + (closeSign == '\0' ? 2 : 3);
                    ControlWhitespaceAfter(closeSign, trimBlock: true);
                    return true;
                }
            }
            search = candidate + 2;
        }
    }

    private bool Matches(int position, string text) =>
        position + text.Length <= _source.Length && string.CompareOrdinal(_source, position, text, 0, text.Length) == 0;

    private int SkipSpaces(int position)
    {
        while (position < _source.Length && PyChars.IsSpace(_source[position])) position++;
        return position;
    }

    private void LexTag(int open, bool isBlock)
    {
        _tokens.Add(new Token(isBlock ? TokenKind.BlockBegin : TokenKind.VariableBegin, isBlock ? "{%" : "{{", LineAt(open)));
        var brackets = new Stack<char>();
        while (true)
        {
            if (_pos >= _source.Length)
                throw Error(open, $"the tag opened with '{(isBlock ? "{%" : "{{")}' is never closed with '{(isBlock ? "%}" : "}}")}'.");
            if (brackets.Count == 0 && TryCloseTag(isBlock)) return;
            char c = _source[_pos];
            if (PyChars.IsSpace(c)) _pos++;
            else if (char.IsAsciiDigit(c)) LexNumber();
            else if (char.IsLetter(c) || c == '_') LexName();
            else if (c is '\'' or '"') LexString();
            else LexOperator(brackets);
        }
    }

    private bool TryCloseTag(bool isBlock)
    {
        string close = isBlock ? "%}" : "}}";
        char sign = '\0';
        if (Matches(_pos, "-" + close)) sign = '-';
        else if (isBlock && Matches(_pos, "+" + close)) sign = '+';
        else if (!Matches(_pos, close)) return false;
        _tokens.Add(new Token(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, close, LineAt(_pos)));
        _pos += close.Length + (sign == '\0' ? 0 : 1);
        ControlWhitespaceAfter(sign, trimBlock: isBlock);
        return true;
    }

    private void LexName()
    {
        int start = _pos;
        while (_pos < _source.Length && (char.IsLetterOrDigit(_source[_pos]) || _source[_pos] == '_')) _pos++;
        _tokens.Add(new Token(TokenKind.Name, _source[start.._pos], LineAt(start)));
    }

    private void LexNumber()
    {
        int start = _pos;
        // As in Jinja, a number right after a '.' is an integer (x.0.1 is x[0][1], not x[0.1]).
        bool afterDot = start > 0 && _source[start - 1] == '.';
        if (_source[_pos] == '0' && _pos + 1 < _source.Length && char.ToLowerInvariant(_source[_pos + 1]) is 'b' or 'o' or 'x')
        {
            LexPrefixedInteger(start);
            return;
        }
        ScanDigits();
        bool isFloat = false;
        if (!afterDot && _pos + 1 < _source.Length && _source[_pos] == '.' && char.IsAsciiDigit(_source[_pos + 1]))
        {
            _pos++;
            ScanDigits();
            isFloat = true;
        }
        if (!afterDot && _pos < _source.Length && _source[_pos] is 'e' or 'E')
        {
            int p = _pos + 1;
            if (p < _source.Length && _source[p] is '+' or '-') p++;
            if (p < _source.Length && char.IsAsciiDigit(_source[p]))
            {
                _pos = p;
                ScanDigits();
                isFloat = true;
            }
        }
        string text = _source[start.._pos];
        string digits = text.Replace("_", "", StringComparison.Ordinal);
        if (isFloat)
        {
            _tokens.Add(new Token(TokenKind.Float, text, LineAt(start), double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture)));
            return;
        }
        if (digits.Length > 1 && digits[0] == '0' && digits.Any(d => d != '0'))
            throw Error(start, $"invalid integer literal '{text}' (leading zeros are not allowed).");
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            throw Error(start, $"the integer literal '{text}' is too large.");
        _tokens.Add(new Token(TokenKind.Integer, text, LineAt(start), value));
    }

    // Digits with single underscores between them, as Python writes 1_000.
    private void ScanDigits()
    {
        while (_pos < _source.Length && (char.IsAsciiDigit(_source[_pos])
               || (_source[_pos] == '_' && _pos + 1 < _source.Length && char.IsAsciiDigit(_source[_pos + 1]))))
            _pos++;
    }

    private void LexPrefixedInteger(int start)
    {
        char prefix = char.ToLowerInvariant(_source[start + 1]);
        int radix = prefix switch { 'b' => 2, 'o' => 8, _ => 16 };
        _pos = start + 2;
        long value = 0;
        int digits = 0;
        while (_pos < _source.Length)
        {
            char c = _source[_pos];
            if (c == '_') { _pos++; continue; }
            int digit = char.IsAsciiHexDigit(c) ? Convert.ToInt32(c.ToString(), 16) : -1;
            if (digit < 0 || digit >= radix) break;
            try { value = checked(value * radix + digit); }
            catch (OverflowException) { throw Error(start, $"the integer literal '{_source[start.._pos]}' is too large."); }
            digits++;
            _pos++;
        }
        if (digits == 0) throw Error(start, $"invalid integer literal '{_source[start.._pos]}'.");
        _tokens.Add(new Token(TokenKind.Integer, _source[start.._pos], LineAt(start), value));
    }

    private void LexString()
    {
        int start = _pos;
        char quote = _source[_pos++];
        var value = new StringBuilder();
        while (true)
        {
            if (_pos >= _source.Length) throw Error(start, "a string literal is never closed.");
            char c = _source[_pos++];
            if (c == quote) break;
            if (c != '\\') { value.Append(c); continue; }
            if (_pos >= _source.Length) throw Error(start, "a string literal is never closed.");
            DecodeEscape(start, value);
        }
        _tokens.Add(new Token(TokenKind.String, _source[start.._pos], LineAt(start), value.ToString()));
    }

    // Python's escapes, as Jinja decodes string literals: \n \t \\ \' \" \xhh \uhhhh \Uhhhhhhhh, octal,
    // a backslash before a newline joins lines; any other backslash is kept as written.
    private void DecodeEscape(int start, StringBuilder value)
    {
        char e = _source[_pos++];
        switch (e)
        {
            case '\n': return;
            case '\\': value.Append('\\'); return;
            case '\'': value.Append('\''); return;
            case '"': value.Append('"'); return;
            case 'a': value.Append('\a'); return;
            case 'b': value.Append('\b'); return;
            case 'f': value.Append('\f'); return;
            case 'n': value.Append('\n'); return;
            case 'r': value.Append('\r'); return;
            case 't': value.Append('\t'); return;
            case 'v': value.Append('\v'); return;
            case 'x': value.Append((char)ReadHex(start, 2, "\\x")); return;
            case 'u': value.Append((char)ReadHex(start, 4, "\\u")); return;
            case 'U':
                int codePoint = ReadHex(start, 8, "\\U");
                if (codePoint > 0x10FFFF) throw Error(start, $"the escape \\U{codePoint:x8} is not a Unicode character.");
                value.Append(char.ConvertFromUtf32(codePoint));
                return;
            case 'N': throw Error(start, "named Unicode escapes (\\N{...}) in string literals are not supported.");
        }
        if (e is >= '0' and <= '7')
        {
            int octal = e - '0';
            for (int i = 0; i < 2 && _pos < _source.Length && _source[_pos] is >= '0' and <= '7'; i++)
                octal = octal * 8 + (_source[_pos++] - '0');
            value.Append((char)octal);
            return;
        }
        value.Append('\\').Append(e);
    }

    private int ReadHex(int start, int length, string escape)
    {
        if (_pos + length > _source.Length || !int.TryParse(_source.AsSpan(_pos, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value)
            || _source.AsSpan(_pos, length).ContainsAnyExcept("0123456789abcdefABCDEF"))
            throw Error(start, $"the escape {escape} in a string literal needs {length} hexadecimal digits.");
        _pos += length;
        return value;
    }

    private void LexOperator(Stack<char> brackets)
    {
        int start = _pos;
        string? op = Operators.FirstOrDefault(o => Matches(_pos, o));
        if (op is null) throw Error(start, $"unexpected character '{_source[_pos]}'.");
        _pos += op.Length;
        switch (op)
        {
            case "(" or "[" or "{":
                brackets.Push(op[0]);
                break;
            case ")" or "]" or "}":
                char expected = op switch { ")" => '(', "]" => '[', _ => '{' };
                if (brackets.Count == 0 || brackets.Pop() != expected)
                    throw Error(start, $"unexpected '{op}'.");
                break;
        }
        _tokens.Add(new Token(TokenKind.Operator, op, LineAt(start)));
    }
}
