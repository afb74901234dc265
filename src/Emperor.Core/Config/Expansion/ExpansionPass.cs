namespace Emperor.Core.Config.Expansion;

/// <summary>
/// core/utils.c <c>uwsgi_apply_config_pass</c> for one value: finds <c>S(key)</c> for the pass symbol S
/// (<c>$</c>, <c>@</c> or <c>%</c>), with nested parentheses counted into the key; a symbol inside a key starts
/// over; when the hook gives a replacement the value is rebuilt and the scan restarts — at index 1, because the C
/// loop sets j = 0 and then increments it, so a replacement that itself starts with <c>S(</c> at index 0 is not
/// expanded again. That quirk is reproduced. When the hook gives nothing the text stays and scanning goes on.
/// </summary>
internal static class ExpansionPass
{
    /// <summary>Outcome flags of <see cref="Apply"/>.</summary>
    [Flags]
    public enum Outcome
    {
        None = 0,

        /// <summary>The value ends inside <c>S(</c>... without its ')'.</summary>
        Unterminated = 1,

        /// <summary>Stopped at the substitution or length limit.</summary>
        Runaway = 2,
    }

    public static string Apply(string value, char symbol, Func<string, string?> hook, int maxSubstitutions, int maxLength, out Outcome outcome)
    {
        outcome = Outcome.None;
        if (!value.Contains(symbol, StringComparison.Ordinal))
        {
            return value;
        }

        var hasSymbol = 0;
        var depth = 0;
        var keyStart = -1;
        var substitutions = 0;
        var j = 0;
        while (j < value.Length)
        {
            var c = value[j];
            if (c == symbol)
            {
                hasSymbol = 1;
            }
            else if (c == '(' && hasSymbol == 1)
            {
                hasSymbol = 2;
                depth = 0;
                keyStart = j + 1;
            }
            else if (hasSymbol > 1)
            {
                if (c == '(')
                {
                    hasSymbol++;
                    depth++;
                }
                else if (c == ')')
                {
                    if (depth > 0)
                    {
                        hasSymbol++;
                        depth--;
                    }
                    else if (hasSymbol <= 2)
                    {
                        hasSymbol = 0;
                    }
                    else
                    {
                        var key = value.Substring(keyStart, hasSymbol - 2);
                        var replacement = hook(key);
                        if (replacement is not null)
                        {
                            if (++substitutions > maxSubstitutions || value.Length - key.Length + replacement.Length > maxLength)
                            {
                                outcome |= Outcome.Runaway;
                                return value;
                            }

                            value = string.Concat(value.AsSpan(0, keyStart - 2), replacement, value.AsSpan(keyStart + hasSymbol - 1));
                            j = 0;
                        }

                        hasSymbol = 0;
                    }
                }
                else
                {
                    hasSymbol++;
                }
            }
            else
            {
                hasSymbol = 0;
            }

            j++;
        }

        if (hasSymbol >= 2)
        {
            outcome |= Outcome.Unterminated;
        }

        return value;
    }
}
