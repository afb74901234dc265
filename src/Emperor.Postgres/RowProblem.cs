namespace Emperor.Postgres;

/// <summary>
/// Something wrong with one row (or the query), as one log line. <paramref name="Key"/> names the row version and
/// the problem: the monitor logs a key once, while it keeps appearing, not on every resync.
/// </summary>
internal sealed record RowProblem(string Key, string Message);
