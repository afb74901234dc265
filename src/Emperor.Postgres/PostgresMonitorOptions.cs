namespace Emperor.Postgres;

/// <summary>How a pg:// monitor behaves; everything but the source comes from the Emperor's settings.</summary>
internal sealed record PostgresMonitorOptions
{
    /// <summary>The channel the pg-setup trigger notifies.</summary>
    public const string DefaultChannel = "emperor_vassals";

    /// <summary>The status table pg-setup creates.</summary>
    public const string DefaultStatusTable = "emperor_status";

    /// <summary>
    /// This Emperor's name in the fleet (<c>--emperor-pg-host</c>, default the machine's host name): the status rows'
    /// <c>host</c>, and the session setting <c>emperor.host</c> a query can select its rows by.
    /// </summary>
    public required string Host { get; init; }

    public required SnapshotRules Rules { get; init; }

    /// <summary><c>--emperor-freq</c>: a full resync this often, whatever the notifications say.</summary>
    public required TimeSpan ResyncPeriod { get; init; }

    /// <summary>The cwd of this monitor's vassals (the Emperor's startup directory; spec §10.4).</summary>
    public required string WorkingDirectory { get; init; }

    public string Channel { get; init; } = DefaultChannel;

    public string StatusTable { get; init; } = DefaultStatusTable;

    /// <summary>How long <c>Start</c> waits for the first resync, so that the first scan finds the fleet (and spawns it unthrottled).</summary>
    public TimeSpan FirstSyncWait { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Reconnection backoff: from this, doubling...</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>...up to this.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Notifications closer together than this are answered by one resync.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>...but a steady stream of them never delays a resync by more than this.</summary>
    public TimeSpan MaxDebounce { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A resync or status write that takes longer than this counts as an outage.</summary>
    public int CommandTimeoutSeconds { get; init; } = 15;
}
