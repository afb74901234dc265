using Emperor.Core.Monitoring;

namespace Emperor.Postgres;

/// <summary>
/// The vassals one query result defines, and what was wrong with the rest. <paramref name="Entries"/> is null when
/// the result as a whole cannot be used (too few columns): the Emperor then changes nothing.
/// </summary>
internal sealed record SnapshotResult(Dictionary<string, SourceEntry>? Entries, IReadOnlyList<RowProblem> Problems);
