using System.Globalization;

namespace Emperor.Core.Control;

/// <summary>
/// A log request on the command socket (<c>emperor logs</c>), one line:
/// <list type="table">
/// <item><term>logs N tail [NAME]</term><description>the last N lines of NAME (without a name: of every vassal, by time), then the connection closes</description></item>
/// <item><term>logs N follow [NAME]</term><description>the same, then every new line until the client goes away</description></item>
/// <item><term>logs-reopen</term><description>reopen every log file (<c>emperor logs --reopen</c>); one <c>ok</c> line</description></item>
/// </list>
/// The name comes last, so it may hold spaces. Lines are answered as JSON objects (time, vassal, pid, stream, line),
/// one a line; <c>{"dropped":N}</c> says a follower lost N lines; a refusal is one <c>error …</c> line.
/// </summary>
internal readonly record struct LogRequest(bool Reopen, int Count, bool Follow, string? Name)
{
    /// <summary>The most lines a request may ask for (more than any ring holds).</summary>
    public const int MaxCount = 100_000;

    public static bool IsLogRequest(string line) =>
        line.StartsWith("logs ", StringComparison.Ordinal) || line.TrimEnd('\r') == "logs-reopen";

    public static bool TryParse(string line, out LogRequest request, out string error)
    {
        request = default;
        error = string.Empty;
        var text = line.TrimEnd('\r', '\n');
        if (text == "logs-reopen")
        {
            request = new LogRequest(true, 0, false, null);
            return true;
        }

        var parts = text.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != "logs" || parts[2] is not ("tail" or "follow"))
        {
            error = "usage: logs N tail|follow [NAME], or logs-reopen";
            return false;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxCount)
        {
            error = $"logs: the line count must be a whole number from 0 to {MaxCount}";
            return false;
        }

        var name = parts.Length == 4 && parts[3].Length > 0 ? parts[3] : null;
        request = new LogRequest(false, count, parts[2] == "follow", name);
        return true;
    }

    public string Encode() => Reopen ? "logs-reopen" : $"logs {Count.ToString(CultureInfo.InvariantCulture)} {(Follow ? "follow" : "tail")}{(Name is null ? "" : " " + Name)}";
}
