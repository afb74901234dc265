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
/// <param name="CaptureAs">The vassal name its stdout and stderr are captured under (docs/logs.md), or null to inherit the Emperor's.</param>
internal sealed record LaunchRequest(
    string Executable,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    int? Uid = null,
    int? Gid = null,
    byte[]? InlineConfig = null,
    string? CaptureAs = null);
