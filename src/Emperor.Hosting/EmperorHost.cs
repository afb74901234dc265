using Emperor.Core.Abstractions;
using Microsoft.Extensions.Logging;

namespace Emperor.Hosting;

/// <summary>
/// What the Emperor gets from the machine it runs on: the launcher, the clock, the log, its own environment and
/// identity, the sd_notify listener and the links to whoever started it. The executable wires the real ones;
/// in-process tests pass fakes.
/// </summary>
internal sealed record EmperorHost
{
    public required IVassalLauncher Launcher { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>The Emperor's environment, sorted by key (vassals get it, with <c>UWSGI_VASSAL_*</c> translated).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; }

    /// <summary>Our own executable: the default vassal binary (its vassal role).</summary>
    public required string SelfExecutable { get; init; }

    /// <summary>The Emperor's uid and gid (stats).</summary>
    public (int Uid, int Gid) Identity { get; init; }

    public INotifyListener? Notify { get; init; }

    /// <summary>This Emperor's own emperor link when it is a vassal itself (a sub-Emperor), or null.</summary>
    public int? ParentLinkFd { get; init; }

    /// <summary>systemd's <c>NOTIFY_SOCKET</c> when systemd started us, or null.</summary>
    public string? SystemdNotifySocket { get; init; }

    /// <summary>
    /// Checks a vassal file before a spawn (null: may start; else why not). Null to check nothing (in-process tests).
    /// </summary>
    public Func<string, string?>? Preflight { get; init; }

    /// <summary>
    /// Binds the sockets the Emperor holds for the vassals it runs through its own vassal role (zero-downtime
    /// restarts), with <see cref="ConfigReader"/>. Null (either one) to hold none: the vassal role binds them.
    /// </summary>
    public ISocketBinder? SocketBinder { get; init; }

    /// <summary>Reads a vassal's config before its spawn, as its vassal role will (the sockets to hold).</summary>
    public IVassalConfigReader? ConfigReader { get; init; }

    /// <summary>Watches on-demand sockets for their first connection. Null: on-demand vassals run normally (one line).</summary>
    public IReadinessWatcher? Readiness { get; init; }

    /// <summary>The first line of a small file (<c>--emperor-on-demand-extension</c>), or null when absent or empty.</summary>
    public Func<string, string?>? ReadFirstLine { get; init; }

    /// <summary>
    /// Runs <c>--emperor-on-demand-exec CMD NAME</c> off the loop and answers its first output line, or null.
    /// </summary>
    public Func<string, string, Task<string?>>? RunOnDemandExec { get; init; }

    /// <summary>Sends the subscription announces for vassals whose files say <c>subscribe-to</c>; null: none are sent (one line).</summary>
    public IDatagramSender? Announcer { get; init; }

    /// <summary>A cgroup of its own for every vassal (<c>--emperor-cgroup</c>), or null.</summary>
    public IVassalCgroups? Cgroups { get; init; }

    /// <summary>Captured vassal output (rings, followers, files), or null when the launcher does not capture.</summary>
    public Logs.LogHub? Logs { get; init; }
}
