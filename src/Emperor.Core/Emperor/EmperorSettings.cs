using Emperor.Core.Config.Options;
using Emperor.Core.Logs;

namespace Emperor.Core.Emperor;

/// <summary>The Emperor's own settings, with uWSGI's names and defaults (spec §1.1).</summary>
internal sealed record EmperorSettings
{
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary><c>--emperor-freq</c>: the safety-net rescan period (inotify reacts at once).</summary>
    public TimeSpan Frequency { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary><c>--binary-path</c>; null means this executable (its vassal role).</summary>
    public string? BinaryPath { get; init; }

    /// <summary><c>--emperor-wrapper</c>: argv[0] and executable instead of the binary path.</summary>
    public string? Wrapper { get; init; }

    public IReadOnlyList<string> ExtraExtensions { get; init; } = [];

    public IReadOnlyList<string> VassalsInherit { get; init; } = [];

    public IReadOnlyList<string> VassalsInclude { get; init; } = [];

    public IReadOnlyList<string> VassalsInheritBefore { get; init; } = [];

    public IReadOnlyList<string> VassalsIncludeBefore { get; init; } = [];

    public IReadOnlyList<string> VassalSet { get; init; } = [];

    public bool NoFollow { get; init; }

    public bool Tyrant { get; init; }

    public bool TyrantNoFollow { get; init; }

    /// <summary><c>--emperor-curse-tolerance</c>: how long a stopped vassal may live before SIGKILL.</summary>
    public TimeSpan CurseTolerance { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>--reload-mercy</c>: Ragnarok's patience before SIGKILL to everything left.</summary>
    public TimeSpan ReloadMercy { get; init; } = TimeSpan.FromSeconds(30);

    public bool GracefulShutdown { get; init; }

    /// <summary><c>--emperor-throttle</c> in ms: the blacklist's step.</summary>
    public TimeSpan Throttle { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary><c>--emperor-max-throttle</c> in ms: the blacklist's cap.</summary>
    public TimeSpan MaxThrottle { get; init; } = TimeSpan.FromMilliseconds(180000);

    public bool NoBlacklist { get; init; }

    /// <summary><c>--emperor-required-heartbeat</c>: silence allowed after a vassal's first heartbeat.</summary>
    public TimeSpan RequiredHeartbeat { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>--emperor-loyal-after</c> (ours): a vassal that stays up this long counts as loyal even if it never
    /// says so, so that apps speaking neither the protocol nor sd_notify can leave the blacklist. 60 s by
    /// default; 0 disables it.
    /// </summary>
    public TimeSpan LoyalAfter { get; init; } = TimeSpan.FromSeconds(60);

    public string? PidFile { get; init; }

    /// <summary><c>--emperor-stats</c> / <c>--emperor-stats-server</c> address.</summary>
    public string? StatsAddress { get; init; }

    /// <summary>
    /// <c>--emperor-command-socket PATH|none</c>: the control socket (owner-only). Null: the default place
    /// (<see cref="EmperorOptionCatalog"/> describes it), resolved by the executable.
    /// </summary>
    public string? CommandSocket { get; init; }

    /// <summary><c>--emperor-metrics ADDR</c>: Prometheus text at /metrics.</summary>
    public string? MetricsAddress { get; init; }

    /// <summary><c>--stats-http</c>: answer stats requests as HTTP.</summary>
    public bool StatsHttp { get; init; }

    /// <summary>
    /// <c>--emperor-pg-host NAME</c> (ours): this Emperor's name in a pg:// fleet — the <c>host</c> of its rows in the
    /// status table and the session setting <c>emperor.host</c> its query can select rows by. Null: the host name.
    /// </summary>
    public string? PgHost { get; init; }

    /// <summary><c>--emperor-id NAME</c> (ours): names this Emperor's default command socket (emperor-NAME.sock).</summary>
    public string? EmperorId { get; init; }

    /// <summary><c>--emperor-on-demand-directory DIR</c>: on-demand sockets at DIR/NAME.socket (spec §13.2).</summary>
    public string? OnDemandDirectory { get; init; }

    /// <summary><c>--emperor-on-demand-extension EXT</c>: the on-demand socket is read from the file NAME+EXT.</summary>
    public string? OnDemandExtension { get; init; }

    /// <summary><c>--emperor-on-demand-exec CMD</c>: the on-demand socket is what CMD NAME prints.</summary>
    public string? OnDemandExec { get; init; }

    /// <summary>Whether any on-demand source is configured.</summary>
    public bool OnDemand => OnDemandDirectory is not null || OnDemandExtension is not null || OnDemandExec is not null;

    /// <summary><c>--emperor-reload-mode</c> (ours): the default reload mode of vassals run by our vassal role.</summary>
    public VassalRole.ReloadMode ReloadMode { get; init; } = VassalRole.ReloadMode.Restart;

    /// <summary><c>--emperor-log-dir DIR</c> (ours): per-vassal log files; null: the Emperor's own stream, prefixed.</summary>
    public string? LogDir { get; init; }

    /// <summary><c>--emperor-log-maxsize BYTES</c> (ours): rotate a log file before it grows past this.</summary>
    public long LogMaxSize { get; init; } = 10 * 1024 * 1024;

    /// <summary><c>--emperor-log-backups N</c> (ours): rotated copies kept.</summary>
    public int LogBackups { get; init; } = 5;

    /// <summary><c>--emperor-log-format text|json</c> (ours).</summary>
    public LogFormat LogFormat { get; init; }

    /// <summary><c>--emperor-dashboard ADDR</c> (ours): the web dashboard; a bare <c>:PORT</c> is read as loopback.</summary>
    public string? DashboardAddress { get; init; }

    /// <summary><c>--emperor-dashboard-auth FILE</c> (ours): basic-auth users of the dashboard.</summary>
    public string? DashboardAuthFile { get; init; }

    /// <summary><c>--emperor-cgroup DIR</c> (ours): a cgroup of its own for every vassal, DIR/NAME (docs/jails.md).</summary>
    public string? CgroupDirectory { get; init; }

    /// <summary><c>--emperor-cgroup-opt KEY=VALUE</c> (ours): limits written to every vassal's cgroup, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> CgroupOptions { get; init; } = [];

    /// <summary><c>--emperor-cap LIST</c> (uWSGI's; also vassals-cap, vassal-cap): the vassals' bounding set, or null to leave it.</summary>
    public IReadOnlyList<int>? VassalCaps { get; init; }
}
