namespace Emperor.Core.Config.Expansion;

/// <summary>The C library number conversions uWSGI's placeholder arithmetic relies on.</summary>
internal static class CNumbers
{
    /// <summary>strtoll(s, NULL, 10): leading white space, an optional sign, digits up to the first non-digit;
    /// saturates at the int64 range on overflow; 0 when there are no digits.</summary>
    public static long StrToLL(string s)
    {
        var i = 0;
        while (i < s.Length && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
        {
            i++;
        }

        var negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        ulong magnitude = 0;
        var overflow = false;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            var digit = (ulong)(s[i] - '0');
            if (magnitude > (ulong.MaxValue - digit) / 10)
            {
                overflow = true;
                continue;
            }

            magnitude = (magnitude * 10) + digit;
        }

        if (negative)
        {
            return overflow || magnitude > 9_223_372_036_854_775_808UL ? long.MinValue : unchecked(-(long)magnitude);
        }

        return overflow || magnitude > long.MaxValue ? long.MaxValue : (long)magnitude;
    }

    /// <summary>core/utils.c <c>is_a_number</c>: every character is a decimal digit (true for "").</summary>
    public static bool IsANumber(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>C's atoi: <see cref="StrToLL"/> truncated to int.</summary>
    public static int AtoI(string s) => unchecked((int)StrToLL(s));
}
