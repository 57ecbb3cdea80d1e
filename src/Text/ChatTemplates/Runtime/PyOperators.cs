namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Python's arithmetic on the template's values: <c>+</c> adds numbers and joins strings, lists and tuples;
/// <c>*</c> repeats them; <c>/</c> always gives a float; <c>//</c> and <c>%</c> round toward negative infinity.
/// Any operand that is undefined is an error, as is an integer result beyond 64 bits.
/// </summary>
internal static class PyOperators
{
    public static object? Binary(string op, object? a, object? b, RenderState state)
    {
        if (op == "~") return Concatenate(a, b, state);
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        return op switch
        {
            "+" => Add(a, b, state),
            "-" => Numeric(op, a, b, (x, y) => checked(x - y), (x, y) => x - y),
            "*" => Multiply(a, b, state),
            "/" => Divide(a, b),
            "//" => FloorDivide(a, b),
            "%" => Modulo(a, b),
            "**" => Power(a, b),
            _ => throw new InvalidOperationException($"unknown operator {op}"),
        };
    }

    /// <summary><c>a ~ b</c>: both as strings (an undefined value is empty).</summary>
    public static string Concatenate(object? a, object? b, RenderState state)
    {
        string x = PyFormat.Str(a), y = PyFormat.Str(b);
        state.CheckLength((long)x.Length + y.Length);
        return x + y;
    }

    public static object? Negate(object? value) => value switch
    {
        Undefined u => throw u.Fail(),
        bool or long => (object)Checked(() => checked(-Py.ToLong(value))),
        double d => -d,
        _ => throw new TemplateError($"bad operand type for unary -: '{Py.TypeName(value)}'"),
    };

    public static object? Plus(object? value) => value switch
    {
        Undefined u => throw u.Fail(),
        bool or long => (object)Py.ToLong(value),
        double d => d,
        _ => throw new TemplateError($"bad operand type for unary +: '{Py.TypeName(value)}'"),
    };

    private static object? Add(object? a, object? b, RenderState state)
    {
        if (Py.IsNumber(a) && Py.IsNumber(b)) return Numeric("+", a, b, (x, y) => checked(x + y), (x, y) => x + y);
        switch (a, b)
        {
            case (string x, string y):
                state.CheckLength((long)x.Length + y.Length);
                return x + y;
            case (List<object?> x, List<object?> y):
                return x.Concat(y).ToList();
            case (object?[] x, object?[] y):
                return x.Concat(y).ToArray();
        }
        if (a is string or List<object?> or object?[])
            throw new TemplateError($"can only concatenate {Py.TypeName(a)} (not \"{Py.TypeName(b)}\") to {Py.TypeName(a)}");
        throw Unsupported("+", a, b);
    }

    private static object? Multiply(object? a, object? b, RenderState state)
    {
        if (Py.IsNumber(a) && Py.IsNumber(b)) return Numeric("*", a, b, (x, y) => checked(x * y), (x, y) => x * y);
        if (a is bool or long && b is string or List<object?> or object?[]) (a, b) = (b, a);
        if (a is string or List<object?> or object?[])
        {
            if (b is not (bool or long)) throw new TemplateError($"can't multiply sequence by non-int of type '{Py.TypeName(b)}'");
            long length = Py.Length(a);
            long times = length == 0 ? 0 : Math.Clamp(Py.ToLong(b), 0, int.MaxValue);
            state.CheckLength(length * times);
            return a switch
            {
                string s => string.Concat(Enumerable.Repeat(s, (int)times)),
                List<object?> list => Enumerable.Repeat(list, (int)times).SelectMany(x => x).ToList(),
                _ => Enumerable.Repeat((object?[])a, (int)times).SelectMany(x => x).ToArray(),
            };
        }
        throw Unsupported("*", a, b);
    }

    private static double Divide(object? a, object? b)
    {
        RequireNumbers("/", a, b);
        double y = Py.ToDouble(b);
        if (y == 0) throw new TemplateError("division by zero");
        return Py.ToDouble(a) / y;
    }

    private static object FloorDivide(object? a, object? b)
    {
        RequireNumbers("//", a, b);
        if (a is double || b is double)
        {
            double y = Py.ToDouble(b);
            if (y == 0) throw new TemplateError("float floor division by zero");
            return Math.Floor(Py.ToDouble(a) / y);
        }
        long i = Py.ToLong(a), j = Py.ToLong(b);
        if (j == 0) throw new TemplateError("integer division or modulo by zero");
        long quotient = Checked(() => checked(i / j));
        return (i % j != 0 && (i < 0) != (j < 0)) ? quotient - 1 : quotient;
    }

    private static object Modulo(object? a, object? b)
    {
        if (a is string) throw new TemplateError("'%' string formatting is not supported; use '~' or '+' to build strings");
        RequireNumbers("%", a, b);
        if (a is double || b is double)
        {
            double x = Py.ToDouble(a), y = Py.ToDouble(b);
            if (y == 0) throw new TemplateError("float modulo");
            double r = x % y;
            return r != 0 && (r < 0) != (y < 0) ? r + y : r;
        }
        long i = Py.ToLong(a), j = Py.ToLong(b);
        if (j == 0) throw new TemplateError("integer division or modulo by zero");
        long m = i % j;
        return m != 0 && (m < 0) != (j < 0) ? m + j : m;
    }

    private static object Power(object? a, object? b)
    {
        RequireNumbers("**", a, b);
        if (a is double || b is double || Py.ToLong(b) < 0)
        {
            double x = Py.ToDouble(a), y = Py.ToDouble(b);
            if (x == 0 && y < 0) throw new TemplateError("0.0 cannot be raised to a negative power");
            return Math.Pow(x, y);
        }
        long result = 1, factor = Py.ToLong(a);
        for (long exponent = Py.ToLong(b); exponent > 0; exponent >>= 1)
        {
            if ((exponent & 1) == 1) result = Checked(() => checked(result * factor));
            if (exponent > 1) factor = Checked(() => checked(factor * factor));
        }
        return result;
    }

    private static object Numeric(string op, object? a, object? b, Func<long, long, long> integers, Func<double, double, double> floats)
    {
        RequireNumbers(op, a, b);
        return a is double || b is double ? floats(Py.ToDouble(a), Py.ToDouble(b)) : (object)Checked(() => integers(Py.ToLong(a), Py.ToLong(b)));
    }

    private static void RequireNumbers(string op, object? a, object? b)
    {
        if (!Py.IsNumber(a) || !Py.IsNumber(b)) throw Unsupported(op, a, b);
    }

    private static long Checked(Func<long> operation)
    {
        try
        {
            return operation();
        }
        catch (OverflowException)
        {
            throw new TemplateError("integer overflow: results beyond 64 bits are not supported");
        }
    }

    private static TemplateError Unsupported(string op, object? a, object? b) =>
        new($"unsupported operand type(s) for {op}: '{Py.TypeName(a)}' and '{Py.TypeName(b)}'");
}
