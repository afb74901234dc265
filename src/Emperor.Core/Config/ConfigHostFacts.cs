namespace Emperor.Core.Config;

/// <summary>
/// Facts about the process that the magic variables expose (spec §12.3, <c>uwsgi_setup</c> static entries).
/// </summary>
/// <param name="Cwd">Working directory at startup (<c>%v</c>), also the base of relative symlink names (<c>%p</c>).</param>
/// <param name="Hostname">gethostname(2) (<c>%h</c>, <c>if-hostname</c>).</param>
/// <param name="StartTimeSeconds">Startup time, UNIX seconds (<c>%t</c>).</param>
/// <param name="StartTimeMicroseconds">Startup time, UNIX microseconds (<c>%T</c>).</param>
/// <param name="Version">Version string (<c>%V</c>).</param>
/// <param name="CpuCount">Online CPUs, sysconf(_SC_NPROCESSORS_ONLN) (<c>%k</c>).</param>
/// <param name="Uid">Real uid (<c>%u</c>).</param>
/// <param name="UserName">Name of <paramref name="Uid"/>, or <see langword="null"/> when it has none (<c>%U</c>).</param>
/// <param name="Gid">Real gid (<c>%g</c>).</param>
/// <param name="GroupName">Name of <paramref name="Gid"/>, or <see langword="null"/> (<c>%G</c>).</param>
/// <param name="BinaryPath">Path of the running executable (<c>%b</c>).</param>
internal sealed record ConfigHostFacts(
    string Cwd,
    string Hostname,
    long StartTimeSeconds,
    long StartTimeMicroseconds,
    string Version,
    int CpuCount,
    uint Uid,
    string? UserName,
    uint Gid,
    string? GroupName,
    string BinaryPath);
