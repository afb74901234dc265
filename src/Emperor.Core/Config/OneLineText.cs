using System.Globalization;
using System.Text;

namespace Emperor.Core.Config;

/// <summary>
/// Makes a user-facing message one line. Messages quote what the user wrote (a section header, an option, a
/// connection string, a parser's view of a token), and that may hold CR, LF or other control characters; printed
/// raw they would split the one line a bad input gets into several, or rewrite the terminal. They are shown
/// escaped as <c>\r</c>, <c>\n</c>, <c>\xNN</c> or <c>\uNNNN</c>; a tab stays a tab.
/// </summary>
internal static class OneLineText
{
    public static string Escape(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.Any(NeedsEscape))
        {
            return message;
        }

        var sb = new StringBuilder(message.Length + 16);
        foreach (var c in message)
        {
            _ = c switch
            {
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                _ when NeedsEscape(c) && c <= '\xff' => sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)),
                _ when NeedsEscape(c) => sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }

    private static bool NeedsEscape(char c) => (char.IsControl(c) && c != '\t') || c is '\u2028' or '\u2029';
}
