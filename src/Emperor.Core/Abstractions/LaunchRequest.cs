namespace Emperor.Core.Abstractions;

/// <summary>
/// Everything needed to start one vassal process (spec §3.2.1–§3.2.2, §10.1).
/// </summary>
/// <param name="Executable">The program to run (binary path or wrapper).</param>
/// <param name="Arguments">argv[0] first, then the rest, exactly as the vassal sees them.</param>
/// <param name="WorkingDirectory">The vassal's cwd.</param>
/// <param name="Environment">The complete environment, except the link variables the launcher adds.</param>
/// <param name="Uid">Tyrant uid to run as, or null to keep the Emperor's.</param>
/// <param name="Gid">Tyrant gid to run as, or null.</param>
/// <param name="InlineConfig">Config bytes to push over a config link (<c>UWSGI_EMPEROR_FD_CONFIG</c>), or null.</param>
/// <param name="Sockets">Listening sockets the Emperor holds for this vassal (its vassal role uses them instead of binding).</param>
/// <param name="OnDemand">The on-demand socket whose first connection started this vassal: fd 0 of a foreign (uWSGI)
/// vassal, the first <c>LISTEN_FDS</c> socket of our vassal role.</param>
/// <param name="CgroupProcs">The <c>cgroup.procs</c> files the child writes its pid to before anything else
/// (<c>--emperor-cgroup</c>), or null.</param>
/// <param name="BoundingCaps">The capabilities left in the child's bounding set (<c>--emperor-cap</c>, with CAP_SETPCAP), or null to
/// leave it alone.</param>
/// <param name="CaptureAs">The vassal name its stdout and stderr are captured under (docs/logs.md), or null to inherit the Emperor's.</param>
internal sealed record LaunchRequest(
    string Executable,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    int? Uid = null,
    int? Gid = null,
    byte[]? InlineConfig = null,
    IReadOnlyList<PassedSocket>? Sockets = null,
    PassedSocket? OnDemand = null,
    string? CaptureAs = null,
    IReadOnlyList<string>? CgroupProcs = null,
    IReadOnlyList<int>? BoundingCaps = null);
