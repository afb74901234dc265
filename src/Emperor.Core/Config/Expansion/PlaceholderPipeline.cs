using System.Globalization;
using System.Text;

namespace Emperor.Core.Config.Expansion;

/// <summary>
/// core/config.c <c>uwsgi_manage_placeholder</c>: <c>%(name)</c> is the first value of the option or placeholder
/// <c>name</c>; with spaces inside it is a left-to-right pipeline of space-separated tokens: a token of digits is a
/// number, <c>+ - * /</c> set the operator applied with the next operand (int64, strtoll; division by zero gives
/// 0), <c>++</c>/<c>--</c> increment or decrement the running value, any other token is an option value (or ""),
/// and two operands in a row concatenate as strings.
/// </summary>
internal static class PlaceholderPipeline
{
    /// <summary>Problems the pipeline noticed (uWSGI notices none).</summary>
    public enum Note
    {
        UnknownOperand,
        DivisionByZero,
        Overflow,
    }

    /// <param name="expression">The text between the parentheses.</param>
    /// <param name="lookup">First value of an option, or <see langword="null"/> when there is none (or it has no value).</param>
    /// <param name="notes">Receives problems: the note and the token concerned.</param>
    /// <returns>The replacement, or <see langword="null"/> to leave <c>%(expression)</c> as it is.</returns>
    public static string? Evaluate(string expression, Func<string, string?> lookup, Action<Note, string>? notes = null)
    {
        if (!expression.Contains(' ', StringComparison.Ordinal))
        {
            return lookup(expression);
        }

        // Operands in a row concatenate; they are collected in a builder, not by string +, which made a long
        // pipeline quadratic (found by fuzzing: a 50 KB value took seconds per substitution).
        var op = '\0';
        var current = new StringBuilder();
        var hasCurrent = false;
        foreach (var token in expression.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string operand;
            if (CNumbers.IsANumber(token))
            {
                operand = token;
            }
            else if (token is "+" or "-" or "*" or "/")
            {
                op = token[0];
                continue;
            }
            else if (token is "++" or "--")
            {
                if (hasCurrent)
                {
                    var n = CNumbers.StrToLL(current.ToString());
                    Set(current, Format(Arithmetic(n, token == "++" ? 1 : -1, '+', expression, notes)));
                }

                op = '\0';
                continue;
            }
            else
            {
                var value = lookup(token);
                if (value is null)
                {
                    notes?.Invoke(Note.UnknownOperand, token);
                }

                operand = value ?? string.Empty;
            }

            if (op == '\0')
            {
                current.Append(operand);
            }
            else
            {
                var a = hasCurrent ? CNumbers.StrToLL(current.ToString()) : 0;
                var b = CNumbers.StrToLL(operand);
                Set(current, Format(Arithmetic(a, b, op, expression, notes)));
            }

            hasCurrent = true;
            op = '\0';
        }

        return hasCurrent ? current.ToString() : null;
    }

    private static void Set(StringBuilder sb, string value) => sb.Clear().Append(value);

    private static long Arithmetic(long a, long b, char op, string expression, Action<Note, string>? notes)
    {
        switch (op)
        {
            case '+':
                var sum = unchecked(a + b);
                if (((a ^ sum) & (b ^ sum)) < 0)
                {
                    notes?.Invoke(Note.Overflow, expression);
                }

                return sum;
            case '-':
                var difference = unchecked(a - b);
                if (((a ^ b) & (a ^ difference)) < 0)
                {
                    notes?.Invoke(Note.Overflow, expression);
                }

                return difference;
            case '*':
                var product = unchecked(a * b);
                if (a != 0 && ((a == -1 && b == long.MinValue) || product / a != b))
                {
                    notes?.Invoke(Note.Overflow, expression);
                }

                return product;
            default:
                if (b == 0)
                {
                    notes?.Invoke(Note.DivisionByZero, expression);
                    return 0;
                }

                if (a == long.MinValue && b == -1)
                {
                    // C raises SIGFPE here; wrap instead.
                    notes?.Invoke(Note.Overflow, expression);
                    return long.MinValue;
                }

                return a / b;
        }
    }

    private static string Format(long n) => n.ToString(CultureInfo.InvariantCulture);
}
