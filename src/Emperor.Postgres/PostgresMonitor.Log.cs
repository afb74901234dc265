using Microsoft.Extensions.Logging;

namespace Emperor.Postgres;

/// <summary>One line per event, each said once: an outage and its end, a bad row version, a status-table problem.</summary>
internal sealed partial class PostgresMonitor
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "[emperor-pg] {Source}: {Count} vassals for host {Host}; listening on channel {Channel}")]
    private static partial void LogConnected(ILogger logger, string source, int count, string host, string channel);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "[emperor-pg] {Source}: cannot read the vassals ({Error}); keeping every vassal as it is and reconnecting (every {MinBackoff} s, slowing to every {MaxBackoff} s)")]
    private static partial void LogUnavailable(ILogger logger, string source, string error, double minBackoff, double maxBackoff);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "[emperor-pg] {Source}: the database is back after {Seconds:0.0} s; resynced {Count} vassals, applying the changes made meanwhile")]
    private static partial void LogRecovered(ILogger logger, string source, double seconds, int count);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "[emperor-pg] {Message}")]
    private static partial void LogRowProblem(ILogger logger, string message);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "[emperor-pg] cannot write vassal states to {Table} ({Error}); the vassals are not affected (emperor pg-setup creates the table)")]
    private static partial void LogStatusFailed(ILogger logger, string table, string error);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "[emperor-pg] writing vassal states to {Table} again")]
    private static partial void LogStatusResumed(ILogger logger, string table);
}
