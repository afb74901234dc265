using System.Data;
using System.Globalization;
using System.Text;
using Emperor.Core.Abstractions;
using Emperor.Core.Monitoring;
using Emperor.Core.Stats;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Emperor.Postgres;

/// <summary>
/// <c>pg://CONNINFO[;QUERY]</c> (spec §2.5, uWSGI's emperor_pg), pushed instead of polled: one long-lived connection
/// LISTENs on a channel that a trigger notifies, and the query runs again on every notification and every
/// <c>--emperor-freq</c>. Each Emperor of a fleet reads its own rows (a WHERE on a host column) and writes its
/// vassals' states back to a status table.
/// </summary>
/// <remarks>
/// Implementation notes.
/// <list type="bullet">
/// <item>Threads: <see cref="Start"/>, <see cref="Scan"/> and <see cref="ReportStatus"/> are called on the Emperor's
/// loop thread and never block on the database (Start waits a bounded time for the first resync). One background
/// task owns the connection and everything in it; Npgsql connections are not thread-safe, so nothing else touches
/// it. The two share three fields: <see cref="_snapshot"/> (volatile, replaced whole, never mutated once published),
/// <see cref="_pendingStatus"/> and <see cref="_notified"/> (Interlocked).</item>
/// <item>Scan returns null while the database cannot be read (never synced yet, disconnected, the query failing): the
/// Emperor then stops nothing. After a reconnection, it keeps returning null until the first resync on the new
/// connection has completed; only then do removals made during the outage apply — never from a stale view.</item>
/// <item>LISTEN comes before the first query on every connection, and a notification that arrives while a query
/// runs (Npgsql raises it then) sets <see cref="_notified"/> again, so no change can fall between a resync and the
/// next wait. The periodic resync covers notifications lost for any other reason.</item>
/// <item>Rows are read in libpq's text format as raw bytes (client_encoding SQL_ASCII: the server converts nothing),
/// so a value that is not UTF-8 spoils its own row only, never the whole query.</item>
/// <item>Waiting uses <c>WaitAsync(timeout)</c> in short slices rather than cancellation, which Npgsql implements
/// less robustly; a slice is a read with a timeout and sends nothing.</item>
/// </list>
/// </remarks>
internal sealed partial class PostgresMonitor : IImperialMonitor
{
    private const int MaxNameBytes = 64 * 1024;
    private const int MaxSmallFieldBytes = 4096;
    private static readonly TimeSpan s_slice = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_finalWriteTimeout = TimeSpan.FromSeconds(2);

    private readonly PgSource _source;
    private readonly PostgresMonitorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly NpgsqlDataSource _dataSource;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Shared with the loop thread.
    private volatile Dictionary<string, SourceEntry>? _snapshot;
    private IReadOnlyList<StatusRow>? _pendingStatus;
    private int _notified;
    private volatile Action? _onDirty;

    // Background task only.
    private Dictionary<string, SourceEntry>? _lastGood;
    private HashSet<string> _reported = new(StringComparer.Ordinal);
    private long? _outageSince;
    private string? _statusError;
    private bool _everSynced;

    private Task? _task;
    private int _disposed;

    public PostgresMonitor(PgSource source, PostgresMonitorOptions options, ILogger logger, TimeProvider time)
    {
        _source = source;
        _options = options;
        _logger = logger;
        _time = time;
        var connection = new NpgsqlConnectionStringBuilder(source.Connection.ConnectionString)
        {
            Pooling = false,
            ClientEncoding = "SQL_ASCII",
            CommandTimeout = options.CommandTimeoutSeconds,
            Enlist = false,
        };
        if (string.IsNullOrEmpty(connection.ApplicationName))
        {
            connection.ApplicationName = "emperor " + options.Host;
        }

        var builder = new NpgsqlSlimDataSourceBuilder(connection.ConnectionString);
        builder.EnableArrays();
        _dataSource = builder.Build();
    }

    public string Argument => _source.Argument;

    public string WorkingDirectory => _options.WorkingDirectory;

    public void Start(Action onDirty)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_task is not null)
        {
            return;
        }

        _onDirty = onDirty;
        _task = Task.Run(RunAsync);

        // The first scan follows at once: let it find the fleet (it is exempt from the spawn throttle), but never
        // hold the Emperor up for long when the database is away.
        _ = _firstAttempt.Task.Wait(_options.FirstSyncWait);
    }

    public Dictionary<string, SourceEntry>? Scan() =>
        _snapshot is { } current ? new Dictionary<string, SourceEntry>(current, StringComparer.Ordinal) : null;

    public void ReportStatus(IReadOnlyList<VassalStats> vassals)
    {
        var rows = vassals.Select(v => new StatusRow(
            v.Id,
            v.Pid > 0 ? v.Pid : null,
            v.State,
            v.Loyal != 0,
            v.Restarts,
            v.LastExitSignal is { } sig ? "signal " + sig.ToString(CultureInfo.InvariantCulture)
                : v.LastExitCode is { } code ? "exit " + code.ToString(CultureInfo.InvariantCulture)
                : null,
            v.Reason.Length == 0 ? null : v.Reason)).ToList();

        // The newest report replaces one not yet written: only the current state matters.
        Interlocked.Exchange(ref _pendingStatus, rows);
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        var backoff = _options.MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(ct);
                connection.Notification += OnNotification;
                await ExecuteAsync(connection, "SELECT set_config('emperor.host', $1, false)", ct, _options.Host);
                await ExecuteAsync(connection, "LISTEN " + QuoteIdentifier(_options.Channel), ct);
                await SessionAsync(connection, () => backoff = _options.MinBackoff, ct);
                await FinalStatusAsync(connection);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong (refused, reset, shut down, timed out, the query failing), the monitor must
                // not die: keep every vassal, say so once, retry.
                Unavailable(e);
            }

            try
            {
                await Task.Delay(backoff, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    private async Task SessionAsync(NpgsqlConnection connection, Action synced, CancellationToken ct)
    {
        Interlocked.Exchange(ref _notified, 0);
        await ResyncAsync(connection, ct);
        synced();
        var nextResync = _time.GetTimestamp() + Ticks(_options.ResyncPeriod);
        while (!ct.IsCancellationRequested)
        {
            if (Interlocked.Exchange(ref _pendingStatus, null) is { } rows)
            {
                await WriteStatusAsync(connection, rows, ct);
            }

            if (Volatile.Read(ref _notified) != 0)
            {
                // Answer a burst (one transaction per row, a script) with one resync: wait until it pauses.
                var until = _time.GetTimestamp() + Ticks(_options.MaxDebounce);
                var debounce = (int)Math.Max(1, Math.Ceiling(_options.Debounce.TotalMilliseconds));
                while (_time.GetTimestamp() < until && await connection.WaitAsync(debounce, CancellationToken.None))
                {
                }
            }
            else if (_time.GetTimestamp() < nextResync)
            {
                // Whole milliseconds, at least 1: Npgsql truncates to milliseconds, and a timeout of 0 waits forever.
                var remaining = _time.GetElapsedTime(_time.GetTimestamp(), nextResync);
                var milliseconds = (int)Math.Clamp(Math.Ceiling(remaining.TotalMilliseconds), 1, s_slice.TotalMilliseconds);
                await connection.WaitAsync(milliseconds, CancellationToken.None);
                continue;
            }

            Interlocked.Exchange(ref _notified, 0);
            await ResyncAsync(connection, ct);
            nextResync = _time.GetTimestamp() + Ticks(_options.ResyncPeriod);
        }
    }

    private async Task ResyncAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var (rows, fieldCount) = await QueryAsync(connection, ct);
        var result = SnapshotBuilder.Build(rows, fieldCount, _options.Rules, _lastGood);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var problem in result.Problems)
        {
            reported.Add(problem.Key);
            if (!_reported.Contains(problem.Key))
            {
                LogRowProblem(_logger, problem.Message);
            }
        }

        _reported = reported;
        if (result.Entries is not { } entries)
        {
            // A result the monitor cannot use (too few columns) is not an empty fleet.
            _snapshot = null;
            _firstAttempt.TrySetResult();
            return;
        }

        _lastGood = entries;
        if (_outageSince is { } since)
        {
            LogRecovered(_logger, Argument, _time.GetElapsedTime(since).TotalSeconds, entries.Count);
            _outageSince = null;
        }
        else if (!_everSynced)
        {
            LogConnected(_logger, Argument, entries.Count, _options.Host, _options.Channel);
        }

        _everSynced = true;
        var old = _snapshot;
        _snapshot = entries;
        _firstAttempt.TrySetResult();
        if (old is null || !SameEntries(old, entries))
        {
            _onDirty?.Invoke();
        }
    }

    private void Unavailable(Exception e)
    {
        _snapshot = null;
        _firstAttempt.TrySetResult();
        if (_outageSince is null)
        {
            _outageSince = _time.GetTimestamp();
            LogUnavailable(_logger, Argument, Describe(e), _options.MinBackoff.TotalSeconds, _options.MaxBackoff.TotalSeconds);
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e) => Interlocked.Exchange(ref _notified, 1);

    private static bool SameEntries(Dictionary<string, SourceEntry> a, Dictionary<string, SourceEntry> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && other == kv.Value);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    internal static string QuoteIdentifier(string name) =>
        string.Join('.', name.Split('.').Select(part => "\"" + part.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    private static string Describe(Exception e) => e switch
    {
        PostgresException p => $"{p.SqlState}: {p.MessageText}",
        NpgsqlException { InnerException: { } inner } n when n.Message.Length < 40 || inner is TimeoutException => $"{n.Message} ({inner.Message})",
        _ => e.Message,
    };

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        var finished = true;
        try
        {
            // The task notices within one wait slice, then writes the final status (bounded).
            finished = _task?.Wait(s_finalWriteTimeout + s_slice + TimeSpan.FromSeconds(1)) ?? true;
        }
        catch (AggregateException)
        {
            // RunAsync handles its own failures; nothing is left to report at this point.
        }

        _dataSource.Dispose();
        if (finished)
        {
            _stop.Dispose();
        }
    }
}
