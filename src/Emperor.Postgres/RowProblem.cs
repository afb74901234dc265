using Emperor.Core.Config;

namespace Emperor.Postgres;

/// <summary>
/// Something wrong with one row (or the query), as one log line. <paramref name="Key"/> names the row version and
/// the problem: the monitor logs a key once, while it keeps appearing, not on every resync.
/// </summary>
internal sealed record RowProblem(string Key, string Message)
{
    /// <summary>The message, escaped into one line: it quotes row values (ts, uid, gid, socket) as the database
    /// sent them, and those may hold line breaks or other control characters.</summary>
    public string Message { get; init => field = OneLineText.Escape(value); } = OneLineText.Escape(Message);
}
