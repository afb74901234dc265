namespace Emperor.Fuzz.Tests.Harness;

/// <summary>Contract checks for targets (no xunit here: the AFL host compiles these files too).</summary>
internal static class Invariant
{
    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(what);
        }
    }

    /// <summary>A user-facing message: one non-empty line (house rule: bad input gets one clear line).</summary>
    public static void OneLine(string? message, string what)
    {
        That(!string.IsNullOrWhiteSpace(message), $"{what}: empty message");
        That(!message!.Contains('\n', StringComparison.Ordinal) && !message.Contains('\r', StringComparison.Ordinal), $"{what}: message spans lines: {Escape(message, 200)}");
    }

    /// <summary>C#-style escaped text, cut at <paramref name="max"/> characters, for failure messages.</summary>
    public static string Escape(string s, int max)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var c in s.Length > max ? s[..max] : s)
        {
            _ = c switch
            {
                '\\' => sb.Append(@"\\"),
                '"' => sb.Append("\\\""),
                '\n' => sb.Append(@"\n"),
                '\r' => sb.Append(@"\r"),
                '\t' => sb.Append(@"\t"),
                _ when c < ' ' || c > '~' => sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => sb.Append(c),
            };
        }

        return (s.Length > max ? sb.Append('…') : sb).ToString();
    }
}
